"""Replacing a small file whole, so that a reader sees the old content or the new, never half.

Every writer of the data dir's records goes through here. The temporary copy gets a unique name
(two `platform up` at once, or the daemon beside the CLI, must never share one) and is removed
when the write fails: on a full disk a half-written copy would hold the last free bytes.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, text: str | bytes, mode: int = 0o600) -> None:
    data = text.encode() if isinstance(text, str) else text
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
