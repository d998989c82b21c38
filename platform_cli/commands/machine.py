"""ls: every platform running on this machine."""

from __future__ import annotations

import typer

from platform_cli.workspace import Workspace


def ls(ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="One JSON object per platform.")) -> None:
    """List every platform running on this machine: its folder, data dir, ports and state."""
    from platform_cli.procman.machine import list_platforms
    from platform_cli.ui.platforms_view import render_platforms

    ws: Workspace = ctx.obj
    render_platforms(list_platforms(), ws.out, as_json)
