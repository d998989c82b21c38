"""Settings with one readable precedence: command line > environment > .env beside the Procfile > defaults.

The Procfile is found as git finds its repository: `-f`, else PLATFORM_PROCFILE, else the first
`Procfile` in the current folder or the nearest folder above it. Service commands may also fall
back to the project last logged in from (user_config), so that they work from any folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from platform_cli.errors import ConfigError

PROCFILE = "Procfile"
DEFAULT_BASE_PORT = 5000  # honcho's
# Each process's stdout and stderr logs rotate at this size, keeping this many old files:
# at most 2 x 10 MB x (1 + 3) = 80 MB of logs per process.
DEFAULT_LOG_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_LOG_BACKUPS = 3


@dataclass(frozen=True)
class Settings:
    procfile: Path
    data_dir: Path
    base_port: int
    dotenv: dict[str, str]
    log_max_bytes: int = DEFAULT_LOG_MAX_BYTES
    log_backups: int = DEFAULT_LOG_BACKUPS
    profile: str | None = None  # --env NAME: .env.NAME layered over .env
    # "setting" (PLATFORM_BASE_PORT), "remembered" (chosen for this data dir beside another
    # clone's: procman/registry.py) or "default"; only a default may move.
    base_port_source: str = "default"

    @property
    def project_dir(self) -> Path:
        return self.procfile.parent


def load_settings(
    procfile: Path | None = None, data_dir: Path | None = None, environ=os.environ, cwd: Path | None = None, anywhere: bool = False,
    profile: str | None = None,
) -> Settings:
    """`anywhere`: with no Procfile here or above, use the project last logged in from.
    `profile` (--env, or PLATFORM_ENV): .env.<profile> layered over .env, its values winning."""
    from platform_cli.procman.procfile import load_dotenv

    remembered_data = None
    if procfile or environ.get("PLATFORM_PROCFILE"):
        procfile = _absolute(procfile or environ["PLATFORM_PROCFILE"])
    else:
        here = Path(os.path.abspath(cwd or os.getcwd()))
        procfile = find_procfile(here)
        if procfile is None:
            from platform_cli.user_config import remembered_project

            remembered = remembered_project(environ) if anywhere else None
            if remembered is None:
                raise _no_procfile(here, anywhere)
            procfile, remembered_data = remembered
    dotenv = load_dotenv(procfile.parent / ".env")
    profile = profile or environ.get("PLATFORM_ENV") or None
    if profile is not None:
        dotenv = {**dotenv, **_profile_values(procfile.parent, profile, load_dotenv)}

    def pick(key: str) -> str | None:
        return environ.get(key) or dotenv.get(key)

    def number(key: str, default: int, low: int, high: int) -> int:
        value = pick(key)
        if value is None or value == "":
            return default
        try:
            number = int(value)
        except ValueError:
            raise ConfigError(f"{key} must be a whole number, not {value!r}") from None
        if not low <= number <= high:
            raise ConfigError(f"{key} must be {low}-{high}, not {number}")
        return number

    if data_dir or environ.get("PLATFORM_DATA_DIR"):
        data = _absolute(data_dir or environ["PLATFORM_DATA_DIR"])
    elif remembered_data is not None:  # as it was when the login was made there
        data = remembered_data
    elif dotenv.get("PLATFORM_DATA_DIR"):  # a .env speaks of paths beside it, wherever `platform` runs
        data = _absolute(procfile.parent / os.path.expanduser(dotenv["PLATFORM_DATA_DIR"]))
    else:
        data = procfile.parent / "data"
    # The environment's PLATFORM_BASE_PORT is this run's own choice; .env's is the project's
    # default, shared by every clone of it: that one moves when another clone already has it.
    base_port, source = number("PLATFORM_BASE_PORT", DEFAULT_BASE_PORT, 1, 65535), "setting"
    if not environ.get("PLATFORM_BASE_PORT"):
        from platform_cli.procman.registry import remembered_base_port

        remembered = remembered_base_port(data)
        if remembered:
            base_port, source = remembered, "remembered"
        else:
            source = "default"
    return Settings(
        procfile=procfile,
        data_dir=data,
        base_port=base_port,
        base_port_source=source,
        dotenv=dotenv,
        # supervisor needs a file to reach some size before rotating; 1 KB keeps tests quick.
        log_max_bytes=number("PLATFORM_LOG_MAX_BYTES", DEFAULT_LOG_MAX_BYTES, 1024, 1 << 40),
        log_backups=number("PLATFORM_LOG_BACKUPS", DEFAULT_LOG_BACKUPS, 1, 100),
        profile=profile,
    )


def _profile_values(folder: Path, profile: str, load_dotenv) -> dict[str, str]:
    """The values of .env.<profile>, the profile's name checked before it names a file."""
    import re

    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", profile):
        raise ConfigError(f"environment profile {profile!r} is not a name (letters, digits, - and _)")
    path = folder / f".env.{profile}"
    if not path.is_file():
        raise ConfigError(f"no {path.name} in {folder} for --env {profile}", hint=f"create {path.name} (it is layered over .env)")
    return load_dotenv(path)


def find_procfile(folder: Path) -> Path | None:
    """The Procfile in `folder` or the nearest folder above it."""
    for candidate in (folder, *folder.parents):
        if (candidate / PROCFILE).is_file():
            return candidate / PROCFILE
    return None


def _no_procfile(here: Path, anywhere: bool) -> ConfigError:
    hint = "run platform inside a project folder, or name the Procfile with -f PATH (or PLATFORM_PROCFILE)"
    if anywhere:
        hint += "; after `platform login` in a project folder, service commands work from anywhere"
    return ConfigError(f"no Procfile in {here} or any folder above it", hint=hint)


def _absolute(path) -> Path:
    return Path(os.path.abspath(os.path.expanduser(str(path))))
