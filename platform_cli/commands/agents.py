"""mcp: the platform's status, events, logs and start/stop/restart for coding assistants."""

from __future__ import annotations

import typer

from platform_cli.workspace import Workspace


def mcp(ctx: typer.Context) -> None:
    """Serve the Model Context Protocol over stdio, for coding assistants and other tools.

    Tools: status, events, logs (bounded reads), start, stop, restart. Point a client at
    `platform -f /path/to/Procfile mcp`; it runs until the client closes its stdin.
    """
    from platform_cli.errors import PlatformError

    ws: Workspace = ctx.obj
    settings = ws.settings  # a missing Procfile is exit 6 now, not an error on every tool call
    try:
        from platform_cli.mcp_tools import make_server

        server = make_server(lambda: Workspace(settings.procfile, settings.data_dir))
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.split(".")[0] in ("mcp", "mcp_types"):
            raise PlatformError("the MCP SDK is not installed", hint="pip install 'platform-cli[mcp]'") from None
        raise
    server.run("stdio")
