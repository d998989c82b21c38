"""Trouble with the data dir (full, read-only, not ours) told as what it is: the user's to fix.

The CLI turns an OSError met while writing the data dir into a DataDirError naming the directory
and the cause; `platform status` asks `describe_trouble` so that a daemon that keeps supervising
on a full disk, without records, says so.
"""

from __future__ import annotations

import errno
import os
from contextlib import contextmanager
from pathlib import Path

from platform_cli.errors import DataDirError

# Less free space than this and the next pid record or event may not fit.
LOW_SPACE_BYTES = 64 * 1024
_CAUSES = {
    errno.ENOSPC: "no space left on device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "read-only file system",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
}
_HINTS = {
    errno.ENOSPC: "free some space there, or use another --data-dir",
    errno.EDQUOT: "free some space there, or use another --data-dir",
    errno.EROFS: "remount it read-write, or use another --data-dir",
}


def data_dir_error(exc: OSError, data_dir: Path) -> DataDirError:
    cause = _CAUSES.get(exc.errno) or exc.strerror or str(exc)
    where = exc.filename if exc.filename else data_dir
    return DataDirError(
        f"cannot write the data dir {data_dir}: {cause} ({where})",
        hint=_HINTS.get(exc.errno, "check the directory's permissions, or use another --data-dir"),
    )


@contextmanager
def writing(data_dir: Path):
    """Turn an OSError from writing under `data_dir` into a DataDirError."""
    try:
        yield
    except OSError as exc:
        raise data_dir_error(exc, data_dir) from None


def describe_trouble(data_dir: Path) -> str | None:
    """Why the daemon cannot write its records under `data_dir` right now, or None."""
    try:
        stat = os.statvfs(data_dir)
    except OSError:
        return None
    if stat.f_flag & os.ST_RDONLY:
        return f"the data dir {data_dir} is read-only: processes are supervised, but pid records, events and logs are not written"
    if stat.f_bavail * stat.f_frsize < LOW_SPACE_BYTES:
        return f"the data dir {data_dir} is full: processes are supervised, but pid records, events and logs are not written"
    return None
