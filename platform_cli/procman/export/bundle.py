"""Exported files and how they reach the disk: atomically, secrets 0600.

Renderers stay pure ({name: ExportFile}); this is the one place that writes, so a file holding a
secret can never be left world-readable or half-written.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from platform_cli.errors import PlatformError
from platform_cli.procman.atomicfile import write_atomic


@dataclass(frozen=True)
class ExportFile:
    text: str
    secret: bool = False  # written 0600, and named as such in the summary


def write_bundle(files: dict[str, ExportFile], out_dir: Path) -> list[Path]:
    """Write every file into out_dir (created if needed); the paths written, in order."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise PlatformError(f"{out_dir} exists and is not a directory", hint="give another directory with -o") from None
    except OSError as exc:
        raise PlatformError(f"cannot create {out_dir}: {exc.strerror}") from None
    written = []
    for name, file in files.items():
        # Names come from the renderers, never from the user; still, none may leave out_dir.
        if os.path.isabs(name) or ".." in Path(name).parts:
            raise ValueError(f"exported file name escapes the output directory: {name!r}")
        written.append(_write_atomic(out_dir / name, file.text, 0o600 if file.secret else 0o644))
    return written


def _write_atomic(path: Path, text: str, mode: int) -> Path:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, text, mode)  # mode before the first byte: a secret is never readable by others
    except OSError as exc:
        raise PlatformError(f"cannot write {path}: {exc.strerror}") from None
    return path
