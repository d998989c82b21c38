"""Replacing a file whole: a reader, or a SIGKILL at any moment, sees the old bytes or the new."""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path


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
