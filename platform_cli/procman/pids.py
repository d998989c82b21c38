"""Which processes a data dir's supervisord spawned, recorded by the daemon itself at each spawn.

After supervisord is SIGKILLed its children live on, orphaned; this record is how `platform up`
and `platform down` find them. Each pid is stored with its kernel start time, so a pid the kernel
has since reused for an unrelated process is never mistaken for ours.
"""

from __future__ import annotations

import json
from pathlib import Path

from platform_cli.procman.atomicfile import write_atomic


def start_ticks(pid: int) -> int | None:
    """The process's start time in clock ticks since boot (/proc/<pid>/stat field 22), None if gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None
    return None if fields[0] == "Z" else int(fields[19])  # a zombie is as good as gone


def alive(pid: int) -> bool:
    return start_ticks(pid) is not None


class PidRecord:
    def __init__(self, run_dir: Path):
        self.path = run_dir / "pids.json"
        self._unsaved: dict[str, list] = {}  # entries a failed write (full disk) could not store yet

    def add(self, name: str, pid: int) -> None:
        """Record `pid` as `name`'s. Raises OSError when the file cannot be written; the entry is
        then kept in memory and written with the next one that succeeds."""
        entries = {n: e for n, e in {**self._load(), **self._unsaved}.items() if start_ticks(e[0]) == e[1]}
        entries[name] = [pid, start_ticks(pid)]
        try:
            # Not durable: written at every spawn, in supervisord's main loop, and worthless after a
            # power loss, which ends every process it lists.
            write_atomic(self.path, json.dumps(entries), durable=False)
        except OSError:
            self._unsaved = entries
            raise
        self._unsaved = {}

    def exists(self) -> bool:
        return self.path.exists()

    def clear(self) -> None:
        """Forget every pid, once `down` has seen them all gone: no record, no orphan to look for."""
        if not self.live():
            try:
                self.path.unlink(missing_ok=True)
            except OSError:  # a read-only data dir: the next cold `up` looks for orphans, that is all
                pass

    def live(self) -> dict[str, int]:
        """Name -> pid of each recorded process that is still the one we started."""
        return {name: pid for name, (pid, ticks) in self._load().items() if ticks is not None and start_ticks(pid) == ticks}

    def _load(self) -> dict[str, list]:
        try:
            return json.loads(self.path.read_text())
        except (FileNotFoundError, ValueError):
            return {}
