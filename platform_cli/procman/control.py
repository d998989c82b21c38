"""Starting, stopping and restarting named processes of a running supervisord: what `platform
start`, `stop` and `restart` do, and the MCP tools of the same names, by one path.

Each holds the data dir's lock (lock.py) from the first question to supervisord until it is done,
so that it never interleaves with an `up` or a `down` of the same data dir; stops go in waves,
dependents first, each wave at once (stopping.py).
"""

from __future__ import annotations

from typing import Callable

from platform_cli.procman.project import Project
from platform_cli.procman.readiness import QuietReporter, Reporter, start_in_order
from platform_cli.procman.stopping import stop_in_waves
from platform_cli.procman.supervisor import SupervisorClient

# (client, names in start order): gives supervisord those of `names` it does not hold yet. `up`
# loads only the processes it starts, so a long Procfile's others are first loaded when started.
Loader = Callable[[SupervisorClient, list[str]], None]


def stop_processes(daemon, project: Project, names: list[str], on_stopped: Callable[[list[str]], None] = lambda wave: None) -> None:
    """Stop `names` (daemon.Daemon's programs), dependents first; `on_stopped` hears each wave once it is down."""
    with daemon.lock():
        _stop(daemon.client(), project, names, on_stopped)


def start_processes(daemon, project: Project, names: list[str], reporter: Reporter = QuietReporter(), load: Loader | None = None) -> list[str]:
    """Start `names` and what they depend on; return once all are ready (the start order).
    `load`: gives supervisord the programs it does not hold yet (see Loader)."""
    with daemon.lock():
        client = daemon.client()
        if load:
            load(client, project.start_order(names))
        return start_in_order(client, project, names, daemon.data_dir, reporter)


def restart_processes(daemon, project: Project, names: list[str], reporter: Reporter = QuietReporter(), load: Loader | None = None) -> list[str]:
    """Stop `names`, then start them again and wait until they are ready, under one hold of the lock."""
    with daemon.lock():
        client = daemon.client()
        _stop(client, project, names, lambda wave: None)
        if load:
            load(client, project.start_order(names))
        return start_in_order(client, project, names, daemon.data_dir, reporter)


def _stop(client, project: Project, names: list[str], on_stopped: Callable[[list[str]], None]) -> None:
    specs = project.processes.values()
    waves = stop_in_waves(client, {s.name: s.depends_on for s in specs}, {s.name: s.stop_wait for s in specs}, names)
    for wave in waves:
        on_stopped(wave)


VERBS = ("restart", "stop", "start")


def act_on(client: SupervisorClient, project: Project, verb: str, name: str) -> str:
    """One verb on one process, for the live views (monit, the dashboard): the view shows the
    process come back on its next refresh, so this does not wait for readiness; a stop still goes
    through the waves (a process's own stop timeout, SIGKILL after it)."""
    from platform_cli.errors import PlatformError

    if verb not in VERBS:
        raise PlatformError(f"unknown action {verb!r}; one of {', '.join(VERBS)}")
    project.check_names([name])
    if verb in ("restart", "stop"):
        _stop(client, project, [name], lambda wave: None)
    if verb in ("restart", "start"):
        client.start(name)
    return f"{verb} {name}: done"
