"""A TinyDB storage that keeps each table in a file of its own and rewrites only what changed.

TinyDB's stock JSONStorage rewrites the whole database on every write: 0.8 ms per insert at 100
orders, 64 ms at 10,000. TinyDB hands a storage the whole database on each write, but a write
replaces exactly one table object (`Table._update_table` builds a new dict for the table it
changed), so comparing table objects by identity tells which tables changed. Only those files
are rewritten; a service that spreads its documents over many tables (buckets) writes a few
dozen documents per insert, however large the database grows.

Every write is durable and atomic: the table goes to a temporary file, which is fsynced and
renamed over the old one, and the directory is fsynced. A SIGKILL at any moment leaves each
table either as it was or as it became, never half-written; a write that returned is on disk.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from tinydb.storages import Storage

from services.common.atomicfile import make_private_dir, write_atomically

SUFFIX = ".json"


class StoreCorruptError(Exception):
    """A table file that cannot be read: never written by this storage, or damaged on disk."""


class TableFilesStorage(Storage):
    def __init__(self, directory: str | os.PathLike):
        self.dir = Path(directory)
        make_private_dir(self.dir)
        self._tables: dict[str, dict] | None = None  # as last read or written

    def read(self) -> dict[str, dict]:
        if self._tables is None:
            self._tables = {path.name[: -len(SUFFIX)]: _load(path) for path in sorted(self.dir.glob("*" + SUFFIX))}
        # A copy of the outer dict only: TinyDB assigns the changed table into what it read,
        # and the identity check in write() needs the old table objects untouched.
        return dict(self._tables)

    def write(self, data: dict[str, dict]) -> None:
        old = self._tables or {}
        changed = [name for name, table in data.items() if old.get(name) is not table]
        dropped = [name for name in old if name not in data]
        for name in changed:
            write_atomically(self.dir / (name + SUFFIX), json.dumps(data[name], separators=(",", ":")).encode())
        for name in dropped:
            (self.dir / (name + SUFFIX)).unlink(missing_ok=True)
        if changed or dropped:
            _fsync_dir(self.dir)
        self._tables = dict(data)

    def forget(self) -> None:
        """Drop what is held in memory: the next read comes from the files."""
        self._tables = None

    def close(self) -> None:
        pass


def _load(path: Path) -> dict:
    try:
        table = json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise StoreCorruptError(f"cannot read table file {path}: {exc}") from exc
    if not isinstance(table, dict):
        raise StoreCorruptError(f"table file {path} does not hold a table")
    return table


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
