"""scale and reload: the verbs that change which programs serve a process, without downtime."""

from __future__ import annotations

import sys

import typer

from platform_cli.commands.completion import process_names
from platform_cli.errors import ConfigError, DaemonDownError
from platform_cli.workspace import Workspace


def scale(
    ctx: typer.Context,
    counts: list[str] = typer.Argument(..., metavar="NAME=COUNT...", help="Processes and how many instances each, like orders=3."),
) -> None:
    """Run more or fewer instances of a process, without a failed request through the gateway.

    New instances (orders.2, orders.3, ...) get the next ports of the process's block and join the
    gateway's rotation once ready; leaving ones are drained first. The count is kept in
    data/supervisor/scale.json over platform.toml's `instances` (see README "Scaling and reload").
    """
    from platform_cli.procman.instances import parse_scale

    ws: Workspace = ctx.obj
    wanted: dict[str, int] = {}
    for text in counts:
        try:
            name, count = parse_scale(text)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None
        wanted[name] = count
    ws.project.check_names(list(wanted))
    for name in wanted:
        if ws.project.processes[name].base:
            raise ConfigError(f"{name} is an instance; scale its process: {ws.project.processes[name].base}=N")
    order = apply_scale(ws, wanted)
    from platform_cli.commands.lifecycle import _show_status

    _show_status(ws, order)


def apply_scale(ws: Workspace, wanted: dict[str, int]) -> list[str]:
    from platform_cli.procman.instances import save_scale
    from platform_cli.procman.rollout import Rollout
    from platform_cli.procman.scaling import scale
    from platform_cli.ui.progress import ProgressReporter

    s, daemon = ws.settings, ws.daemon
    order: list[str] = []
    with daemon.lock():  # procman/lock.py: scale never interleaves with up, down, reload or another scale
        _running_daemon(ws)
        old = make_stage(ws, {}).project
        new = make_stage(ws, wanted)  # checked before anything is kept: a bad count leaves scale.json as it was
        for name, count in wanted.items():
            save_scale(s.data_dir, name, count)
        with ProgressReporter(ws.out) as progress:
            rollout = Rollout(daemon, daemon.client())
            for name in wanted:
                order.extend(scale(rollout, old, new.project, new.programs, new.render, name, s.data_dir, progress))
                old = new.project
    ws.__dict__["project"] = new.project  # the status shown next is of the new instances
    return list(dict.fromkeys(order))


def reload(
    ctx: typer.Context,
    names: list[str] = typer.Argument(None, metavar="[NAME]...", autocompletion=process_names, show_default=False,
                                      help="Processes (by their Procfile name) to reload; or --all."),
    all_: bool = typer.Option(False, "--all", help="Every process behind another (the gateway's services)."),
) -> None:
    """Replace every instance with a fresh one on the code now on disk, without downtime.

    Rolling and health-gated: a surge instance starts first; once it is ready, each old instance
    in turn is drained out of the gateway's rotation, restarted and put back once ready, then the
    surge goes. If a new instance is not ready in time or crash-loops, the reload stops, the old
    instances keep serving, and this exits 5 naming the process with its last log lines.
    """
    from platform_cli.procman.rolling import RollingReload, reloadable
    from platform_cli.procman.rollout import Rollout
    from platform_cli.ui.progress import ProgressReporter

    ws: Workspace = ctx.obj
    if all_ and names:
        raise typer.BadParameter("give process names or --all, not both")
    if not all_ and not names:
        raise typer.BadParameter("name the processes, or use --all")
    wanted = reloadable(ws.project) if all_ else names
    ws.project.check_names(wanted)
    for name in wanted:
        spec = ws.project.processes[name]
        if spec.base:
            raise ConfigError(f"{name} is an instance; reload its process: {spec.base}")
        if spec.url is None or not spec.url.startswith("http"):
            raise ConfigError(f"{name} is not reached over http: nothing can route around it while it restarts",
                              hint=f"restart it with `platform restart {name}`")
    daemon = ws.daemon
    done: list[str] = []
    with daemon.lock(), ProgressReporter(ws.out) as progress:  # procman/lock.py, as up and down
        _running_daemon(ws)
        client = daemon.client()
        rolling = RollingReload(Rollout(daemon, client), client, ws.settings.data_dir, lambda scale: make_stage(ws, scale), progress)
        for name in wanted:
            done.extend(rolling.reload_recorded(name))
    from platform_cli.commands.lifecycle import _show_status

    _show_status(ws, done)


def make_stage(ws: Workspace, scale: dict[str, int]):
    """The project with `scale` over the instance counts in force, its programs and their renderer
    (procman/orchestrator.py)."""
    from platform_cli.procman.orchestrator import make_stage

    return make_stage(ws.daemon, ws.settings, scale)


def _running_daemon(ws: Workspace):
    if not ws.daemon.is_running():
        raise DaemonDownError("supervisord is not running", hint="start the platform with `platform up`")
    return ws.daemon


def watch_and_reload(ws: Workspace) -> None:
    """`up --watch`: after `up`, reload each process whose watched files change, until Ctrl-C.
    A reload that fails is reported here and kept for status/events/logs; watching goes on."""
    import threading

    from platform_cli.errors import PlatformError
    from platform_cli.procman.readiness import start_in_order
    from platform_cli.procman.rolling import RollingReload, reloadable
    from platform_cli.procman.rollout import Rollout
    from platform_cli.procman.stopping import stop_and_wait
    from platform_cli.procman.watching import watch, watched_paths
    from platform_cli.ui.progress import ProgressReporter

    daemon, data_dir = _running_daemon(ws), ws.settings.data_dir
    surgeable = reloadable(ws.project)
    paths = watched_paths(ws.project, surgeable)
    if not paths:
        raise ConfigError("nothing to watch: no process sets `watch`, and none is behind another",
                          hint='set `watch = ["services/web"]` under a process in platform.toml')
    missing = [f"{p} (for {n})" for n, roots in paths.items() for p in roots if not p.exists()]
    if missing:  # a typo would watch nothing, silently
        raise ConfigError(f"watch path does not exist: {', '.join(missing)}", hint="watch paths are relative to the Procfile's folder")
    for name, roots in paths.items():
        shown = ", ".join(str(p.relative_to(ws.project.dir.resolve())) or "." for p in roots)
        ws.out.print(f"watching {shown or '.'} for {name}", markup=False, highlight=False)
    ws.out.print("Ctrl-C stops watching; the processes keep running.", markup=False, highlight=False)

    def reload(name: str) -> None:
        with daemon.lock(), ProgressReporter(ws.out) as progress:  # procman/lock.py: waits for an up or down
            client = daemon.client()
            try:
                _running_daemon(ws)
                if name in surgeable:
                    RollingReload(Rollout(daemon, client), client, data_dir, lambda scale: make_stage(ws, scale),
                                  progress).reload_recorded(name)
                else:  # a front (the gateway) or a process not reached over http: a plain restart
                    stop_and_wait(client, ws.project, ws.project.instances_of(name))
                    start_in_order(client, ws.project, ws.project.instances_of(name), data_dir, progress)
            except PlatformError as exc:  # reported, kept for status/events/logs; watching goes on
                print(f"error: {exc.message}", file=sys.stderr)
                for line in exc.details:
                    print(line, file=sys.stderr)
                return
        ws.out.print(f"{name}: reloaded", markup=False, highlight=False)

    ignored = [data_dir, ws.project.dir / ".venv"]
    watch(paths, ignored, reload, threading.Event(),
          on_change=lambda names: ws.out.print(f"changed: reloading {', '.join(names)}", markup=False, highlight=False))
