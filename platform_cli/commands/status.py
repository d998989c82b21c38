"""status."""

from __future__ import annotations

import sys
from typing import Optional

import typer

from platform_cli.commands.completion import process_names
from platform_cli.errors import ExitCode
from platform_cli.workspace import Workspace


def status(
    ctx: typer.Context,
    names: Optional[list[str]] = typer.Argument(
        None, metavar="[NAME]...", autocompletion=process_names, help="Processes to show (default: all).", show_default=False
    ),
    as_json: bool = typer.Option(False, "--json", help="A JSON list of objects, for scripts."),
    probe: bool = typer.Option(False, "--probe", help="Probe every process now instead of showing the daemon's latest probe."),
    watch: bool = typer.Option(False, "--watch", "-w", help="Refresh in place every second until Ctrl-C."),
) -> None:
    """One row per process: state, pid, uptime, restarts, CPU, memory, port, health, last exit.

    Health, CPU and memory are the daemon's latest samples, with their age (--probe probes now).
    restarts and last exit describe the current run: both count from the last time a person
    started the process (up, start, restart, run) and are not reset by a crash, by stop or down,
    nor by a restart the watchdog makes; `platform events` keeps the whole history. A STARTING
    process whose probe passes is shown RUNNING (--json keeps supervisord's state). Columns that
    do not fit the terminal are left out, least useful first (cpu, mem, pid, ...); --json has them all.

    Exits 0 when every shown process is running and healthy, 3 otherwise, 4 when supervisord is down.
    """
    from platform_cli.procman.datadir import describe_trouble

    ws: Workspace = ctx.obj
    asked = names or []
    names = ws.project.expand(asked)  # checked; `orders` shows its instances too, @web its group
    if watch:
        if as_json:
            raise typer.BadParameter("--watch shows the table; use --json without it", param_hint="--watch")
        from platform_cli.ui.status_watch import watch_status

        live = ws.live_project()  # instances `platform scale` adds or removes show at the next frame

        def take():
            project = live.current()
            shown = [n for n in asked if n in project.processes or n.startswith("@")]
            return collect_rows(ws, project.expand(shown) if asked else [], fresh=probe, project=project)

        watch_status(take, ws.out)
    rows = collect_rows(ws, names, fresh=probe)
    if as_json:
        from platform_cli.ui.status_view import status_json

        print(status_json(rows))
    else:
        from platform_cli.ui.status_view import render_status

        render_status(rows, ws.out)
    failed = _failed_reloads(ws, names)
    for line in failed:  # the old instances serve, so every row may be green: say it, and exit 3
        print(line, file=sys.stderr) if as_json else ws.out.print(line, markup=False, highlight=False)
    trouble = describe_trouble(ws.settings.data_dir)
    if trouble:
        ws.err.print(f"warning: {trouble}")
    if failed or not all(row.healthy for row in rows):
        raise typer.Exit(ExitCode.UNHEALTHY)


def _failed_reloads(ws: Workspace, names: list[str]) -> list[str]:
    """One line per shown process whose last reload rolled back (procman/reloads.py)."""
    import time

    from platform_cli.procman.reloads import failures

    found = failures(ws.settings.data_dir)
    return [f"{name}: reload failed at {time.strftime('%H:%M:%S', time.localtime(f.get('time', 0)))}, the old instances "
            f"keep serving: {f.get('message')} (fix it and `platform reload {name}`)"
            for name, f in found.items() if (not names or name in names) and name in ws.project.processes]


def collect_rows(ws: Workspace, names: list[str], fresh: bool = False, project=None):
    """The rows of the status table, the gateway's view included: what `status` and `up` show.
    fresh: probe every process now rather than read the daemon's latest probe; project: the
    workspace's unless given (--watch passes the project as it is now)."""
    from platform_cli.procman.snapshot import take_snapshot

    project = project or ws.project
    rows = take_snapshot(ws.client(), project, names, ws.settings.data_dir, fresh=fresh)
    _add_gateway_view(project, rows)
    return rows


def _add_gateway_view(project, rows) -> None:
    """Beside each service's process state, how the gateway sees it (GET /health/all)."""
    gateway = project.processes.get("gateway")
    if gateway is None or gateway.url is None or not any(r.name == "gateway" and r.healthy for r in rows):
        return
    from platform_cli.clients.services import ServiceClient
    from platform_cli.errors import PlatformError

    try:
        seen = ServiceClient("gateway", gateway.url, timeout=2).get("health", "all")["services"]
    except (PlatformError, KeyError, TypeError):
        return
    for row in rows:
        if row.name in seen:
            row.via_gateway = seen[row.name].get("state")
