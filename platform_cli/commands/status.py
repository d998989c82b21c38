"""status."""

from __future__ import annotations

from typing import Optional

import typer

from platform_cli.commands.completion import process_names
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
    from platform_cli.status_report import collect_rows, report

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

    def draw_table(rows) -> None:
        from platform_cli.ui.status_view import render_status

        render_status(rows, ws.out)

    # A plain `platform status` does not come here: launcher.py runs the same report without typer.
    code = report(ws, names, as_json, draw_table, fresh=probe)
    if code:
        raise typer.Exit(code)
