"""The project as it is now, for the views that stay open: monit and the dashboard.

A command loads the Procfile, platform.toml and data/supervisor/scale.json once, and is done
before they change. monit and the dashboard run for hours, while `platform scale` adds and
removes instances (`orders.2`) and an edit adds a Procfile line: with the project they loaded at
start, a new instance shows without its port or health and cannot be restarted from the view,
and a removed one lingers as STOPPED. So they ask this holder on every refresh; it loads the
project again when one of those files changed (their mtime and size: one stat each), and keeps
the last good project while an edit is half-written (a ConfigError), trying again at the next change.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Callable

from platform_cli.errors import ConfigError


class LiveProject:
    def __init__(self, load: Callable[[], object], watched: list[Path]):
        """load: the project from the files, as a command loads it; watched: the files it reads."""
        self._load, self._watched = load, tuple(watched)
        self._lock = threading.Lock()  # the dashboard serves from several threads
        self._seen: tuple | None = None
        self._project = None

    def current(self):
        """The project, loaded again when a watched file changed since the last call."""
        with self._lock:
            seen = tuple(_stamp(path) for path in self._watched)
            if self._project is None or seen != self._seen:
                try:
                    self._project = self._load()
                except ConfigError:
                    if self._project is None:
                        raise
                self._seen = seen
            return self._project


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_mtime_ns, found.st_size
