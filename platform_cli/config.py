"""Settings with one readable precedence: command line > environment > .env beside the Procfile > defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from platform_cli.errors import ConfigError

DEFAULT_BASE_PORT = 5000  # honcho's


@dataclass(frozen=True)
class Settings:
    procfile: Path
    data_dir: Path
    base_port: int
    dotenv: dict[str, str]

    @property
    def project_dir(self) -> Path:
        return self.procfile.parent


def load_settings(procfile: Path | None = None, data_dir: Path | None = None, environ=os.environ) -> Settings:
    from platform_cli.procman.procfile import load_dotenv

    procfile = _absolute(procfile or environ.get("PLATFORM_PROCFILE") or "Procfile")
    dotenv = load_dotenv(procfile.parent / ".env")

    def pick(key: str) -> str | None:
        return environ.get(key) or dotenv.get(key)

    data = data_dir or pick("PLATFORM_DATA_DIR")
    base_port = pick("PLATFORM_BASE_PORT") or DEFAULT_BASE_PORT
    try:
        base_port = int(base_port)
    except ValueError:
        raise ConfigError(f"PLATFORM_BASE_PORT must be a port number, not {base_port!r}") from None
    if not 1 <= base_port <= 65535:
        raise ConfigError(f"PLATFORM_BASE_PORT must be 1-65535, not {base_port}")
    return Settings(
        procfile=procfile,
        data_dir=_absolute(data) if data else procfile.parent / "data",
        base_port=base_port,
        dotenv=dotenv,
    )


def _absolute(path) -> Path:
    return Path(os.path.abspath(os.path.expanduser(str(path))))
