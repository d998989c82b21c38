"""What every command works on: settings, the project, its daemon. Loaded lazily, once per call."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from platform_cli.config import Settings, load_settings


# Commands that talk to the services: with no Procfile here or above, they use the project last
# logged in from, so that they work from any folder.
ANYWHERE = frozenset({"order", "delivery", "tts", "signup", "login", "logout", "whoami", "user"})
# Piped into a file or another program, rich would assume 80 columns and squeeze the tables.
PIPED_WIDTH = 160


class Workspace:
    def __init__(self, procfile: Path | None = None, data_dir: Path | None = None, anywhere: bool = False, profile: str | None = None):
        self._procfile = procfile
        self._data_dir = data_dir
        self._anywhere = anywhere
        self._profile = profile

    @cached_property
    def settings(self) -> Settings:
        return load_settings(self._procfile, self._data_dir, anywhere=self._anywhere, profile=self._profile)

    def settle_base_port(self) -> None:
        """Before `up` or `run`: with the default base port taken by another running platform
        (a second clone), choose a free block and remember it in the data dir (registry.py)."""
        from platform_cli.procman.registry import choose_base_port, remember_base_port

        if self.settings.base_port_source != "default":
            return
        chosen = choose_base_port(self.settings.data_dir, self.settings.base_port, max(1, len(self.project.processes)))
        if chosen != self.settings.base_port:
            remember_base_port(self.settings.data_dir, chosen)
            for cached in ("settings", "project", "daemon"):
                self.__dict__.pop(cached, None)

    def remember_project(self) -> None:
        """After a login: service commands run outside any project folder will use this one."""
        from platform_cli.user_config import remember_project

        remember_project(self.settings.procfile, self.settings.data_dir)

    @cached_property
    def project(self):
        return self._load_project()

    def live_project(self):
        """For the views that stay open (monit, the dashboard): the project loaded again whenever
        `scale` or an edit changes what it is made of (procman/liveproject.py)."""
        from platform_cli.procman.instances import SCALE_FILE
        from platform_cli.procman.liveproject import LiveProject
        from platform_cli.procman.project import OPTIONS_FILE

        s = self.settings
        return LiveProject(self._load_project, [s.procfile, s.project_dir / OPTIONS_FILE, s.data_dir / "supervisor" / SCALE_FILE])

    def _load_project(self):
        from platform_cli.procman.instances import load_scale
        from platform_cli.procman.project import load_project

        s = self.settings
        return load_project(s.procfile, s.base_port, s.dotenv, load_scale(s.data_dir))

    @cached_property
    def daemon(self):
        from platform_cli.procman.daemon import Daemon

        return Daemon(self.settings.data_dir, self.settings.project_dir)

    def client(self):
        """A client for the running daemon; the SupervisorClient raises DaemonDownError when there is none."""
        return self.daemon.client()

    def service(self, name: str):
        """The HTTP client for one of the Procfile's services (clients/services.py chooses the
        address); kept here as wiring so each command asks its workspace, not three modules."""
        from platform_cli.clients.services import make_service_client

        return make_service_client(self.project, self.session, name)

    @cached_property
    def session(self):
        from platform_cli.clients.session import Session

        return Session(self.settings.data_dir)

    def user(self, given: str | None) -> str:
        """The --user given, else the logged-in user's id (clients/session.py)."""
        from platform_cli.clients.session import resolve_user

        return resolve_user(self.session, given)

    @cached_property
    def out(self):
        return _console(stderr=False)

    @cached_property
    def err(self):
        return _console(stderr=True)


def _console(stderr: bool):
    import os
    import sys

    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    wide = None if stream.isatty() or os.environ.get("COLUMNS") else PIPED_WIDTH
    return Console(stderr=stderr, highlight=False, width=wide)
