"""up, down, start, stop, restart."""

from __future__ import annotations

import os
import sys
from functools import partial
from typing import Optional

import typer

from platform_cli.commands.completion import process_names
from platform_cli.errors import ConfigError, NotReadyError
from platform_cli.procman.supervisor import STOP_BUDGET_S
from platform_cli.workspace import Workspace

Names = typer.Argument(None, metavar="[NAME]...", show_default=False, autocompletion=process_names,
                       help="Process names from the Procfile, or @group (default: all); enabled = false ones only when named.")
# start, stop and restart act on nothing by default: a bare `platform stop` is refused, not "all".
Selected = typer.Argument(None, metavar="[NAME]...", help="Process names from the Procfile, or @group; name them or use --all.",
                          show_default=False, autocompletion=process_names)
AllFlag = typer.Option(False, "--all", help="Every process in the Procfile (instead of names).")


def up(ctx: typer.Context, names: Optional[list[str]] = Names,
       watch: bool = typer.Option(False, "--watch", help="Then reload processes when their files change (platform.toml `watch`), until Ctrl-C.")) -> None:
    """Start supervisord if needed, load the Procfile and start processes in dependency order.

    Each process starts only once everything it depends on is ready. Running processes are left as
    they are, so a second `up` starts nothing twice; one whose command, settings, .env or
    dependencies' addresses changed is restarted, one at a time, saying why. Ends with the status
    table.
    """
    ws: Workspace = ctx.obj
    ws.settle_base_port()  # a second clone: its own ports
    wanted = ws.project.expand(names or [])  # @group: its processes
    order = bring_up(ws, wanted)
    _register(ws)
    _show_status(ws, order if names else [])  # all: the very rows of `platform status`, in its order
    if watch:
        from platform_cli.commands.scaling import watch_and_reload

        watch_and_reload(ws)


def down(ctx: typer.Context) -> None:
    """Stop every process and supervisord; afterwards nothing the platform started is alive."""
    ws: Workspace = ctx.obj
    ws.out.print(shut_down(ws))


def bring_up(ws: Workspace, names: list[str]) -> list[str]:
    """What `up` does before showing the table: returns the processes started, in start order."""
    from platform_cli.procman.rollout import Rollout
    from platform_cli.ui.progress import ProgressReporter

    project, daemon = ws.project, ws.daemon
    project.check_names(names)
    names = project.expand(names)
    # Scheduled tasks are started by the daemon's scheduler, which needs supervisord to hold them:
    # always loaded, started by `up` only when named.
    scheduled = [n for n in project.enabled_names if project.processes[n].schedule]
    if not names and len(project.enabled_names) < len(project.names):
        names = [n for n in project.enabled_names if n not in scheduled]  # enabled = false: only when named
    daemon.prepare_dirs()
    # From "is supervisord running?" until it runs what was asked: a second `up` (or a `down`) waits.
    with daemon.lock(), ProgressReporter(ws.out) as progress:
        running = daemon.is_running()
        rollout = Rollout(daemon, daemon.client())
        if running:  # a changed service behind another (the gateway's) is replaced the rolling way first
            from platform_cli.commands.scaling import make_stage
            from platform_cli.procman.rolling import roll_changed

            # Under the lock already held: scale, reload and watch take the same one (procman/lock.py).
            roll_changed(rollout, rollout.client, ws.settings.data_dir, lambda scale: make_stage(ws, scale), progress)
        # supervisord holds only what was started at some point: `up NAME` renders NAME, what it
        # depends on and what supervisord holds (still in the Procfile), not a long Procfile's
        # every line. A line gone from the Procfile is left out, so its process is removed.
        loaded = rollout.loaded() if running else {}
        selection = [*names, *scheduled, *(n for n in loaded if n in project.processes)] if names else None
        programs, render = _programs(ws, selection)
        if not running:
            cleanup = daemon.clean_up_after_crash()
            if cleanup:
                progress.note(f"supervisord had died without cleaning up: {cleanup.describe()}")
            daemon.write_programs(render({}), {p.script_name: p.script for p in programs})
            progress.note(f"started supervisord (pid {daemon.start()})")
        started = rollout.apply(project, programs, render, names, ws.settings.data_dir, progress)
        from platform_cli.procman.instances import make_registry, write_registry

        write_registry(ws.settings.data_dir, make_registry(project))  # where the gateway finds each instance
        return started


def load_programs(ws: Workspace, client, names: list[str]) -> None:
    """Before `start` or `restart` of `names` (in start order, dependencies included): give
    supervisord those it does not hold yet, as `up` renders them; one RPC when it holds them all."""
    from platform_cli.procman.rollout import Rollout

    known = client.infos(names)
    missing = [n for n in names if n not in known]
    if missing:
        Rollout(ws.daemon, client).load(*_programs(ws, missing))


def _programs(ws: Workspace, names: list[str] | None):
    """The programs of `names` and what they depend on (all when None), and `render(kept)`, which
    renders them for supervisord, the sections in `kept` as they were."""
    from platform_cli.procman.supervisor_conf import make_programs, render_programs

    project, settings = ws.project, ws.settings
    programs = make_programs(project, settings.data_dir, os.path.dirname(sys.executable), os.environ.get("PATH", ""), names)

    def render(kept: dict[str, str]) -> str:
        return render_programs(programs, ws.daemon.scripts_dir, project.dir, settings.data_dir / "logs", settings.procfile,
                               settings.log_max_bytes, settings.log_backups, kept=kept)

    return programs, render


def shut_down(ws: Workspace) -> str:
    """Stop every process and supervisord, and anything they left behind; says what it did."""
    from platform_cli.procman.daemon import find_daemons, find_orphans, terminate
    from platform_cli.procman.health import port_is_free
    from platform_cli.procman.stopping import stop_in_waves

    daemon = ws.daemon
    with daemon.lock():
        if not daemon.is_running():
            cleanup = daemon.clean_up_after_crash()
            return f"supervisord was not running; {cleanup.describe()}" if cleanup else "platform is not running"
        try:  # `down` must work even when the Procfile has since been broken
            specs = list(ws.project.processes.values())
        except ConfigError:
            specs = []
        client = daemon.client()
        running = [p.name for p in client.processes() if p.pid]
        # Ports to see released: those our processes were listening on (another program's are not ours).
        ports = [s.port for s in specs if s.port and not port_is_free(s.port)]
        try:
            for _ in stop_in_waves(client, {s.name: s.depends_on for s in specs}, {s.name: s.stop_wait for s in specs}, running):
                pass
        except NotReadyError:
            pass  # still stopping past its deadline: supervisord's shutdown and the orphan sweep below finish it
        # What escaped its process group (double fork, setsid) is now supervisord's child: stop it
        # while supervisord is still its parent.
        adopted = daemon.adopted(client.pid(), {client.listener_pid()})
        terminate([p for p, _ in adopted])
        pid = daemon.stop(STOP_BUDGET_S)
        leftovers = adopted + find_orphans(daemon.data_dir)
        terminate([p for p, _ in leftovers] + find_daemons(daemon.data_dir))
        from platform_cli.procman.registry import unregister

        unregister(daemon.data_dir)  # off `platform ls`
    message = f"stopped {len(running)} process{'es' if len(running) != 1 else ''} and supervisord (pid {pid})"
    if leftovers:
        message += "; also stopped what had left its process group: " + ", ".join(f"{n} (pid {p})" for p, n in leftovers)
    busy = _wait_ports_free(ports, port_is_free)
    if busy:
        message += f"; still in use by programs platform did not start: port {', '.join(map(str, busy))}"
    return message


def _register(ws: Workspace) -> None:
    """In the machine's list of running platforms (`platform ls`)."""
    from platform_cli.procman.registry import PlatformEntry, register

    ports = {n: s.port for n, s in ws.project.processes.items() if s.port is not None}
    register(PlatformEntry(str(ws.project.dir), str(ws.settings.data_dir), ws.settings.base_port, ws.daemon.client().pid(), ports))


def start(ctx: typer.Context, names: Optional[list[str]] = Selected, all_: bool = AllFlag) -> None:
    """Start processes (and what they depend on) and wait until they are ready."""
    from platform_cli.procman.control import start_processes
    from platform_cli.ui.progress import ProgressReporter

    ws: Workspace = ctx.obj
    wanted = _selection(ws, names, all_)  # a bad command line is told before the project is even read
    if all_:
        wanted = ws.project.enabled_names  # enabled = false: started only when named
    with ProgressReporter(ws.out) as progress:
        start_processes(ws.daemon, ws.project, wanted, progress, load=partial(load_programs, ws))


def stop(ctx: typer.Context, names: Optional[list[str]] = Selected, all_: bool = AllFlag) -> None:
    """Stop processes (dependents first; the others all at once); supervisord keeps running."""
    from platform_cli.procman.control import stop_processes

    ws: Workspace = ctx.obj
    wanted = _selection(ws, names, all_)

    def told(wave: list[str]) -> None:
        for name in wave:
            ws.out.print(f"stopped {name}")

    stop_processes(ws.daemon, ws.project, wanted, told)


def restart(ctx: typer.Context, names: Optional[list[str]] = Selected, all_: bool = AllFlag) -> None:
    """Stop processes, start them again, and wait until they are ready."""
    from platform_cli.procman.control import restart_processes
    from platform_cli.ui.progress import ProgressReporter

    ws: Workspace = ctx.obj
    wanted = _selection(ws, names, all_)
    with ProgressReporter(ws.out) as progress:
        restart_processes(ws.daemon, ws.project, wanted, progress, load=partial(load_programs, ws))


def _selection(ws: Workspace, names: list[str] | None, all_: bool) -> list[str]:
    if all_ and names:
        raise typer.BadParameter("give process names or --all, not both")
    if not all_ and not names:
        raise typer.BadParameter("name the processes, or use --all")
    if all_:
        return ws.project.names
    return ws.project.expand(names)  # @group: its processes


def _show_status(ws: Workspace, names: list[str]) -> None:
    from platform_cli.commands.status import collect_rows
    from platform_cli.ui.status_view import render_status

    ws.out.print()
    render_status(collect_rows(ws, names), ws.out)  # the very table `platform status` shows


def _wait_ports_free(ports: list[int], port_is_free, deadline_s: float = 5.0) -> list[int]:
    """Wait until the ports are released; return those still taken at the deadline."""
    import time

    deadline = time.monotonic() + deadline_s
    while (busy := [p for p in ports if not port_is_free(p)]) and time.monotonic() < deadline:
        time.sleep(0.05)
    return busy
