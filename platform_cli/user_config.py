"""The user's own settings folder (~/.config/platform, or $XDG_CONFIG_HOME/platform).

It holds one thing: the project the user last logged in from, so that the service commands
(`platform order list`, `tts say`, ...) work from any folder, as `gh` or `aws` do, once logged in.
A folder inside a project always wins over it (see config.load_settings).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

LAST_PROJECT = "last-project.json"


def config_dir(environ=os.environ) -> Path:
    base = environ.get("XDG_CONFIG_HOME") or os.path.join(environ.get("HOME") or os.path.expanduser("~"), ".config")
    return Path(base) / "platform"


def remember_project(procfile: Path, data_dir: Path, environ=os.environ) -> None:
    """Keep where the login was made (0600, written atomically). A folder we cannot write to
    costs only this convenience: the login itself has worked, so it is not an error."""
    from platform_cli.procman.atomicfile import write_atomic

    folder = config_dir(environ)
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_atomic(folder / LAST_PROJECT, json.dumps({"procfile": str(procfile), "data_dir": str(data_dir)}))
    except OSError:
        pass


def remembered_project(environ=os.environ) -> tuple[Path, Path] | None:
    """(procfile, data dir) of the project last logged in from, if any."""
    try:
        saved = json.loads((config_dir(environ) / LAST_PROJECT).read_text())
        return Path(saved["procfile"]), Path(saved["data_dir"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
