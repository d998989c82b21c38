"""Replacing a file whole: a reader, or a SIGKILL at any moment, sees the old bytes or the new.

write_private is the one way services write a secret or private file (the JWT key, Redis's password).
"""

from __future__ import annotations

import contextlib
import errno
import os
import threading
from pathlib import Path

FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
READ_ONLY = frozenset({errno.EROFS, errno.EACCES, errno.EPERM})


def is_disk_trouble(exc: OSError) -> bool:
    """A full or read-only disk: the machine's trouble, to be fixed there and retried, never the
    fault of what was being written."""
    return exc.errno in FULL | READ_ONLY


def remove_leftovers(directory: Path) -> None:
    """Temporary files of writes a SIGKILL cut short: called by a store's one owner as it opens,
    when no write of its own can be under way."""
    for leftover in directory.glob("*.tmp"):
        leftover.unlink(missing_ok=True)


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, fsync it, rename it over `path`. The temporary
    name is the thread's own, so threads replacing the same file never share one."""
    tmp = path.with_name(f"{path.name}.{threading.get_ident()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except OSError as exc:
        # A full disk fails mid-write: the old file stays whole, and the partial copy must not
        # keep holding the space the next write needs.
        with contextlib.suppress(OSError):  # a read-only disk can't remove it either
            tmp.unlink()
        exc.filename = str(path.parent)  # the place to free or fix, not our temporary name
        raise


def make_private_dir(path: Path) -> Path:
    """`path` and every missing folder above it made 0700 (mkdir's `mode` covers only the last
    one): a service run on its own, outside supervisord's umask 077, keeps its data as private."""
    missing = []
    while not path.exists():
        missing.append(path)
        path = path.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:
            pass
    return missing[0] if missing else path


def write_private(path: Path, data: bytes, exclusive: bool = False) -> None:
    """A secret or private file, whole and 0600 from its first byte: written to a unique
    temporary file beside `path` (mkstemp makes it 0600), fsynced, then renamed over `path`, and
    the directory fsynced so the new name survives a crash. exclusive: FileExistsError if `path`
    exists (a hard link, not a rename, so two writers racing to make it never replace each other)."""
    import tempfile

    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        if exclusive:
            os.link(tmp, path)
        else:
            os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
