"""What `platform status` reports — its rows, failed reloads, the data dir's trouble, its exit code —
without typer or rich, so that the Typer command and the lean path of a plain `platform status`
(launcher.py) share every line of it and differ only in how the table is drawn."""

from __future__ import annotations

import sys

from platform_cli.errors import ExitCode


def report(ws, names: list[str], as_json: bool, draw_table, fresh: bool = False) -> int:
    """Print the status of `names` (all when empty), the table through `draw_table(rows)`, and
    return the exit code: 0 when every shown process is running and healthy, 3 otherwise."""
    from platform_cli.procman.datadir import describe_trouble

    rows = collect_rows(ws, names, fresh=fresh)
    if as_json:
        from platform_cli.ui.status_table import status_json

        print(status_json(rows))
    else:
        draw_table(rows)
    failed = failed_reloads(ws, names)
    for line in failed:  # the old instances serve, so every row may be green: say it, and exit 3
        print(line, file=sys.stderr) if as_json else ws.out.print(line, markup=False, highlight=False)
    trouble = describe_trouble(ws.settings.data_dir)
    if trouble:
        ws.err.print(f"warning: {trouble}")
    return ExitCode.UNHEALTHY if failed or not all(row.healthy for row in rows) else ExitCode.OK


def failed_reloads(ws, names: list[str]) -> list[str]:
    """One line per shown process whose last reload rolled back (procman/reloads.py)."""
    import time

    from platform_cli.procman.reloads import failures

    found = failures(ws.settings.data_dir)
    return [f"{name}: reload failed at {time.strftime('%H:%M:%S', time.localtime(f.get('time', 0)))}, the old instances "
            f"keep serving: {f.get('message')} (fix it and `platform reload {name}`)"
            for name, f in found.items() if (not names or name in names) and name in ws.project.processes]


def collect_rows(ws, names: list[str], fresh: bool = False, project=None):
    """The rows of the status table, the gateway's view included: what `status` and `up` show.
    fresh: probe every process now rather than read the daemon's latest probe; project: the
    workspace's unless given (--watch passes the project as it is now, see liveproject.py)."""
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
