"""Replacing a file whole: a reader, or a SIGKILL at any moment, sees the old bytes or the new."""

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
