"""status."""

from __future__ import annotations

from typing import Optional

import typer

from platform_cli.errors import ExitCode
from platform_cli.workspace import Workspace


def status(
    ctx: typer.Context,
    names: Optional[list[str]] = typer.Argument(None, metavar="[NAME]...", help="Processes to show (default: all).", show_default=False),
    as_json: bool = typer.Option(False, "--json", help="A JSON list of objects, for scripts."),
) -> None:
    """One row per process: state, pid, uptime, restarts, CPU, memory, port, health, last exit.

    Exits 0 when every shown process is running and healthy, 3 otherwise, 4 when supervisord is down.
    """
    from platform_cli.procman.datadir import describe_trouble
    from platform_cli.procman.snapshot import take_snapshot

    ws: Workspace = ctx.obj
    names = names or []
    ws.project.check_names(names)
    rows = take_snapshot(ws.client(), ws.project, names, ws.settings.data_dir)
    _add_gateway_view(ws, rows)
    if as_json:
        from platform_cli.ui.status_view import status_json

        print(status_json(rows))
    else:
        from platform_cli.ui.status_view import render_status

        render_status(rows, ws.out)
    trouble = describe_trouble(ws.settings.data_dir)
    if trouble:
        ws.err.print(f"warning: {trouble}")
    if not all(row.healthy for row in rows):
        raise typer.Exit(ExitCode.UNHEALTHY)


def _add_gateway_view(ws: Workspace, rows) -> None:
    """Beside each service's process state, how the gateway sees it (GET /health/all)."""
    gateway = ws.project.processes.get("gateway")
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
