"""Files the CLI and the daemon write, each replaced whole: a reader, or a SIGKILL at any moment,
sees the old bytes or the new, never half. The one way the platform_cli side writes a file:
records in the data dir, launch scripts (with the .env values), the login, staff requests, the
Redis password, the boot unit, exported bundles.

The temporary copy gets a unique name (mkstemp: two `platform up` at once, or the daemon beside
the CLI, must never share one), is 0600 from its first byte (or `mode`, set before any byte is
written) and is removed when the write fails: on a full disk a half-written copy would hold the
last free bytes. Folders of private files are made 0700.

(services/common/atomicfile.py does the same on the services' side: the two never import each other.)
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def write_atomic(path: Path, data: bytes | str, mode: int = 0o600, exclusive: bool = False, durable: bool = True) -> None:
    """Write to a unique temporary file beside `path`, fsync it, rename it over `path`, fsync the
    folder. exclusive: FileExistsError if `path` exists (linked, not renamed, so two writers racing
    to make it never replace each other). Raises the OSError, with no temporary file left behind.

    durable=False: no fsync. The rename alone keeps the file whole for every reader and across a
    SIGKILL (the page cache outlives the writer); only a power loss could leave it short. For
    files that matter only while the processes they describe live, or that the next `up` writes
    again anyway: each fsync costs milliseconds in a spawn path or before supervisord starts."""
    import tempfile  # here: readers of this module (`platform status`) need not pay for it (shutil, random)

    if isinstance(data, str):
        data = data.encode()
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        try:
            if mode != 0o600:  # mkstemp's own; another before the first byte, so never wider for a moment
                os.fchmod(fd, mode)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        if exclusive:
            os.link(tmp, path)
        else:
            os.replace(tmp, path)
    finally:
        with contextlib.suppress(OSError):  # gone once renamed; a read-only disk cannot remove it either
            os.unlink(tmp)
    if not durable:
        return
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def private_dirs(*paths: Path) -> None:
    """Each folder made (with any missing parent) or kept at 0700, including ones an older
    version left 0755: logs and runtime state are no other local user's to read."""
    for target in paths:
        missing, path = [], target
        while not path.exists():
            missing.append(path)
            path = path.parent
        for folder in reversed(missing):
            with contextlib.suppress(FileExistsError):
                folder.mkdir(mode=0o700)
        os.chmod(target, 0o700)
