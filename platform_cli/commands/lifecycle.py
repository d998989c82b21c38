"""up, down, start, stop, restart."""

from __future__ import annotations

import os
import sys
from typing import Optional

import typer

from platform_cli.errors import ConfigError, NotReadyError
from platform_cli.procman.supervisor import STOP_BUDGET_S
from platform_cli.workspace import Workspace

Names = typer.Argument(None, metavar="[NAME]...", help="Process names from the Procfile (default: all).", show_default=False)
AllFlag = typer.Option(False, "--all", help="Every process in the Procfile.")


def up(ctx: typer.Context, names: Optional[list[str]] = Names) -> None:
    """Start supervisord if needed, load the Procfile and start processes in dependency order.

    Each process starts only once everything it depends on is ready. Running processes are left as
    they are, so a second `up` starts nothing twice. Ends with the status table.
    """
    ws: Workspace = ctx.obj
    order = bring_up(ws, names or [])
    _show_status(ws, order)


def down(ctx: typer.Context) -> None:
    """Stop every process and supervisord; afterwards nothing the platform started is alive."""
    ws: Workspace = ctx.obj
    ws.out.print(shut_down(ws))


def bring_up(ws: Workspace, names: list[str]) -> list[str]:
    """What `up` does before showing the table: returns the processes started, in start order."""
    from platform_cli.procman.readiness import start_in_order
    from platform_cli.procman.supervisor_conf import make_programs, render_programs
    from platform_cli.ui.progress import ProgressReporter

    project, daemon, settings = ws.project, ws.daemon, ws.settings
    project.check_names(names)
    daemon.prepare_dirs()
    programs = make_programs(project, settings.data_dir, os.path.dirname(sys.executable), os.environ.get("PATH", ""))
    conf = render_programs(programs, daemon.scripts_dir, project.dir, settings.data_dir / "logs", settings.procfile,
                           settings.log_max_bytes, settings.log_backups)
    scripts = {p.script_name: p.script for p in programs}
    daemon.write_programs(conf, scripts)
    with daemon.lock(), ProgressReporter(ws.out) as progress:
        if not daemon.is_running():
            cleanup = daemon.clean_up_after_crash()
            if cleanup:
                progress.note(f"supervisord had died without cleaning up: {cleanup.describe()}")
            progress.note(f"started supervisord (pid {daemon.start()})")
        client = daemon.client()
        running_before = {p.name for p in client.processes() if p.pid}
        _, changed, removed = client.update()
        daemon.prune_scripts(set(scripts))
        for name in removed:
            progress.note(f"removed {name} (no longer in the Procfile)")
        # A changed process that was running is restarted with its new settings, as compose does.
        restarted = [n for n in changed if n in running_before]
        for name in restarted:
            progress.note(f"{name} changed: restarting it")
        wanted = (names + [n for n in restarted if n not in names]) if names else []
        return start_in_order(client, project, wanted, settings.data_dir, progress)


def shut_down(ws: Workspace) -> str:
    """Stop every process and supervisord, and anything they left behind; says what it did."""
    from platform_cli.procman.daemon import find_daemons, find_orphans, terminate
    from platform_cli.procman.health import port_is_free

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
            for _ in _stop_waves(client, running, specs):
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
    message = f"stopped {len(running)} process{'es' if len(running) != 1 else ''} and supervisord (pid {pid})"
    if leftovers:
        message += "; also stopped what had left its process group: " + ", ".join(f"{n} (pid {p})" for p, n in leftovers)
    busy = _wait_ports_free(ports, port_is_free)
    if busy:
        message += f"; still in use by programs platform did not start: port {', '.join(map(str, busy))}"
    return message


def start(ctx: typer.Context, names: Optional[list[str]] = Names, all_: bool = AllFlag) -> None:
    """Start processes (and what they depend on) and wait until they are ready."""
    ws: Workspace = ctx.obj
    _start_ready(ws, ws.client(), _selection(ws, names, all_))


def stop(ctx: typer.Context, names: Optional[list[str]] = Names, all_: bool = AllFlag) -> None:
    """Stop processes (dependents first; the others all at once); supervisord keeps running."""
    ws: Workspace = ctx.obj
    wanted = _selection(ws, names, all_)
    with ws.daemon.lock():
        list(_stop_in_order(ws, ws.client(), wanted))
    for name in wanted:
        ws.out.print(f"stopped {name}")


def restart(ctx: typer.Context, names: Optional[list[str]] = Names, all_: bool = AllFlag) -> None:
    """Stop processes, start them again, and wait until they are ready."""
    ws: Workspace = ctx.obj
    wanted = _selection(ws, names, all_)
    with ws.daemon.lock():
        client = ws.client()
        list(_stop_in_order(ws, client, wanted))
        _start_ready(ws, client, wanted)


def _stop_in_order(ws: Workspace, client, wanted: list[str]):
    """Stop the named processes, dependents before what they depend on; yields each wave once stopped."""
    return _stop_waves(client, wanted, ws.project.processes.values())


def _stop_waves(client, names: list[str], specs):
    from platform_cli.procman.stopping import stop_in_waves

    return stop_in_waves(client, {s.name: s.depends_on for s in specs}, {s.name: s.stop_timeout for s in specs}, names)


def _start_ready(ws: Workspace, client, wanted: list[str]) -> None:
    from platform_cli.procman.readiness import start_in_order
    from platform_cli.ui.progress import ProgressReporter

    with ProgressReporter(ws.out) as progress:
        start_in_order(client, ws.project, wanted, ws.settings.data_dir, progress)


def _selection(ws: Workspace, names: list[str] | None, all_: bool) -> list[str]:
    if all_ and names:
        raise typer.BadParameter("give process names or --all, not both")
    if not all_ and not names:
        raise typer.BadParameter("name the processes, or use --all")
    if all_:
        return ws.project.names
    ws.project.check_names(names)
    return names


def _show_status(ws: Workspace, names: list[str]) -> None:
    from platform_cli.procman.snapshot import take_snapshot
    from platform_cli.ui.status_view import render_status

    ws.out.print()
    render_status(take_snapshot(ws.client(), ws.project, names, ws.settings.data_dir), ws.out)


def _wait_ports_free(ports: list[int], port_is_free, deadline_s: float = 5.0) -> list[int]:
    """Wait until the ports are released; return those still taken at the deadline."""
    import time

    deadline = time.monotonic() + deadline_s
    while (busy := [p for p in ports if not port_is_free(p)]) and time.monotonic() < deadline:
        time.sleep(0.05)
    return busy
