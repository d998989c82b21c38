"""What every command works on: settings, the project, its daemon. Loaded lazily, once per call."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from platform_cli.config import Settings, load_settings


class Workspace:
    def __init__(self, procfile: Path | None = None, data_dir: Path | None = None):
        self._procfile = procfile
        self._data_dir = data_dir

    @cached_property
    def settings(self) -> Settings:
        return load_settings(self._procfile, self._data_dir)

    @cached_property
    def project(self):
        from platform_cli.procman.project import load_project

        s = self.settings
        return load_project(s.procfile, s.base_port, s.dotenv)

    @cached_property
    def daemon(self):
        from platform_cli.procman.daemon import Daemon

        return Daemon(self.settings.data_dir, self.settings.project_dir)

    def client(self):
        """A client for the running daemon; the SupervisorClient raises DaemonDownError when there is none."""
        return self.daemon.client()

    def service(self, name: str):
        """The HTTP client for one of the Procfile's services, at the address platform gave it."""
        from platform_cli.clients.services import ServiceClient
        from platform_cli.errors import ConfigError

        spec = self.project.processes.get(name)
        if spec is None or spec.url is None:
            raise ConfigError(f"the Procfile has no {name} service with a port", hint=f"add a `{name}:` line to the Procfile")
        return ServiceClient(name, spec.url)

    @cached_property
    def out(self):
        from rich.console import Console

        return Console(highlight=False)

    @cached_property
    def err(self):
        from rich.console import Console

        return Console(stderr=True, highlight=False)
