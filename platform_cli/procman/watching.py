"""Watch mode (`platform up --watch`): reload a process when files it watches change.

Each process's `watch` paths (platform.toml) are watched with watchfiles (inotify, debounced:
a burst of saves is one change). When none sets `watch`, every process `reload --all` would
reload watches the project folder. Bytecode caches, editor swap files, VCS folders and the
platform's data folder are ignored (the services write there all the time).

A change reloads the processes watching it one at a time, through the caller's `reload`, which
is the rolling reload: a broken edit (syntax error, import error, failing readiness) rolls back,
the old instances keep serving, the error is reported, and the next change tries again.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable, Iterable

DEBOUNCE_MS = 400


def watched_paths(project, reloadable: list[str]) -> dict[str, tuple[Path, ...]]:
    """Procfile name -> the paths it watches."""
    own = {n: s.watch for n, s in project.processes.items() if not s.base and s.watch}
    if own:
        return own
    return {n: (project.dir.resolve(),) for n in reloadable}


def processes_for(changed: Iterable[str], paths: dict[str, tuple[Path, ...]]) -> list[str]:
    """The processes (in `paths` order) that watch any of the changed files."""
    files = [Path(c) for c in changed]
    return [name for name, roots in paths.items()
            if any(f == root or root in f.parents for f in files for root in roots)]


def make_filter(ignored: list[Path]):
    """watchfiles' DefaultFilter (caches, swap files, .git, ...) minus `ignored` folders."""
    from watchfiles import DefaultFilter

    base = DefaultFilter()
    roots = [p.resolve() for p in ignored]

    def accept(change, path: str) -> bool:
        if not base(change, path):
            return False
        resolved = Path(path)
        return not any(resolved == r or r in resolved.parents for r in roots)

    return accept


def watch(paths: dict[str, tuple[Path, ...]], ignored: list[Path], reload: Callable[[str], None],
          stop: threading.Event, on_change: Callable[[list[str]], None] = lambda names: None) -> None:
    """Until `stop` is set: on each debounced batch of changes, reload() each process watching them."""
    from watchfiles import watch as watch_files

    roots = sorted({str(p) for ps in paths.values() for p in ps})
    for changes in watch_files(*roots, watch_filter=make_filter(ignored), debounce=DEBOUNCE_MS, stop_event=stop,
                               rust_timeout=500, yield_on_timeout=False):
        names = processes_for((path for _, path in changes), paths)
        if names:
            on_change(names)
        for name in names:
            reload(name)
