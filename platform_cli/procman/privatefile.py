"""Private files and folders of the CLI's own: launch scripts (with the .env values), the login,
staff requests, records, the Redis password. One way to write them, so each is whole and 0600
from its first byte, and one way to make their folders, 0700.

(services/common/atomicfile.py does the same on the services' side: the two never import each other.)
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_private(path: Path, data: bytes | str, exclusive: bool = False) -> None:
    """Write to a unique temporary file beside `path` (mkstemp: 0600, never a shared name),
    fsync it, rename it over `path`, fsync the folder. exclusive: FileExistsError if `path`
    exists (linked, not renamed, so two writers racing to make it never replace each other)."""
    if isinstance(data, str):
        data = data.encode()
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
