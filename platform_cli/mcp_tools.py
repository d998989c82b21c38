"""`platform mcp`: the platform as Model Context Protocol tools, served over stdio, so that a coding
assistant reads status, events and logs and starts or stops processes through typed calls
instead of scraping terminal tables.

Each tool calls what the CLI command of the same name calls (the status snapshot, the event
history, the log tail, and procman/control.py's start, stop and restart, which hold the data
dir's lock as the commands do) and answers with the data the command's `--json` prints. Reads are bounded: an agent cannot ask for a log of gigabytes.
stdout is the protocol's channel: nothing here prints, and every tool builds its own Workspace, so
a Procfile edited while the server runs is read afresh on the next call.

Built on the official SDK (`mcp`, its MCPServer); imported only by the `mcp` command.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from typing import Any

EVENTS_MAX = 500
LOGS_MAX = 1000

INSTRUCTIONS = (
    "Manage the processes of one platform project (a Procfile run under supervisord). "
    "`status` lists every process with its state, pid, health and last exit; `events` its starts and exits; "
    "`logs` a process's last lines. `start`, `stop` and `restart` act on one process by name; "
    "start and restart return once it is ready."
)


def make_server(workspace: Callable[[], Any]):
    """An MCPServer whose tools act on the project `workspace()` returns (a fresh Workspace each call)."""
    from mcp.server.mcpserver import MCPServer

    server = MCPServer("platform", instructions=INSTRUCTIONS, log_level="WARNING")

    @server.tool()
    def status(names: list[str] | None = None) -> list[dict[str, Any]]:
        """One object per process (all when `names` is empty), as `platform status --json` prints:
        name, state, pid, uptime, restarts, cpu, memory, port, health, last exit."""
        from platform_cli.status_report import collect_rows
        from platform_cli.ui.status_table import status_json

        ws = workspace()
        names = names or []
        _guard(ws.project.check_names, names)
        return json.loads(status_json(_guard(collect_rows, ws, names)))

    @server.tool()
    def events(names: list[str] | None = None, limit: int = 50) -> list[dict[str, Any]]:
        """The latest starts, exits (exit code or signal, expected or not) and restarts, oldest first;
        at most `limit` of them (capped at 500)."""
        from platform_cli.procman.history import History

        ws = workspace()
        names = names or []
        if names:
            _guard(ws.project.check_names, names)
        return History(ws.settings.data_dir).events(names, limit=_bounded(limit, EVENTS_MAX))

    @server.tool()
    def logs(name: str, lines: int = 100, stderr_only: bool = False) -> list[dict[str, Any]]:
        """The last `lines` lines (capped at 1000) a process wrote, stdout and stderr merged in time
        order, as `platform logs --json` prints them: time, process, stream, line."""
        from platform_cli.procman.logfiles import STREAMS
        from platform_cli.procman.logtail import last_lines
        from platform_cli.ui.log_view import json_line

        ws = workspace()
        _guard(ws.project.check_names, [name])
        found = last_lines(ws.settings.data_dir / "logs", [name], ("stderr",) if stderr_only else STREAMS, _bounded(lines, LOGS_MAX))
        return [json.loads(json_line(line)) for line in found]

    @server.tool()
    def start(name: str) -> dict[str, Any]:
        """Start a process (and what it depends on); returns once it is ready, with its status."""
        ws = workspace()
        _guard(_start_ready, ws, name)
        return _row(ws, name)

    @server.tool()
    def stop(name: str) -> dict[str, Any]:
        """Stop a process; supervisord keeps running. Returns its status."""
        ws = workspace()
        _guard(_stop, ws, name)
        return _row(ws, name)

    @server.tool()
    def restart(name: str) -> dict[str, Any]:
        """Stop a process, start it again and wait until it is ready; returns its status (new pid)."""
        ws = workspace()
        _guard(_restart, ws, name)
        return _row(ws, name)

    return server


def _stop(ws, name: str) -> None:
    """What `platform stop NAME` does for one name."""
    from platform_cli.procman.control import stop_processes

    ws.project.check_names([name])
    stop_processes(ws.daemon, ws.project, ws.project.expand([name]))  # `orders`: each of its instances, as the CLI


def _start_ready(ws, name: str) -> None:
    """What `platform start NAME` does, without its progress lines (stdout is the protocol's)."""
    from platform_cli.procman.orchestrator import load_programs
    from platform_cli.procman.control import start_processes

    ws.project.check_names([name])
    start_processes(ws.daemon, ws.project, ws.project.expand([name]), load=partial(load_programs, ws.daemon, ws.project, ws.settings))


def _restart(ws, name: str) -> None:
    """What `platform restart NAME` does, without its progress lines."""
    from platform_cli.procman.orchestrator import load_programs
    from platform_cli.procman.control import restart_processes

    ws.project.check_names([name])
    restart_processes(ws.daemon, ws.project, ws.project.expand([name]), load=partial(load_programs, ws.daemon, ws.project, ws.settings))


def _row(ws, name: str) -> dict[str, Any]:
    from platform_cli.status_report import collect_rows
    from platform_cli.ui.status_table import status_json

    [row] = json.loads(status_json(_guard(collect_rows, ws, [name])))
    return row


def _bounded(count: int, cap: int) -> int:
    return max(1, min(int(count), cap))


def _guard(call, *args):
    """A PlatformError becomes the tool's error result, worded as the CLI's `error:`/`hint:` lines."""
    from mcp.server.mcpserver.exceptions import ToolError

    from platform_cli.errors import PlatformError

    try:
        return call(*args)
    except PlatformError as exc:
        text = "\n".join([exc.message, *([f"hint: {exc.hint}"] if exc.hint else []), *exc.details])
        raise ToolError(text) from None
