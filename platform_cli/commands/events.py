"""events."""

from __future__ import annotations

from typing import Optional

import typer

from platform_cli.commands.completion import process_names
from platform_cli.workspace import Workspace


def events(
    ctx: typer.Context,
    names: Optional[list[str]] = typer.Argument(None, metavar="[NAME]...", autocompletion=process_names, help="Only these processes.", show_default=False),
    lines: int = typer.Option(50, "-n", "--lines", min=1, help="How many of the latest events."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per line, for scripts."),
) -> None:
    """The history of every start, exit (with exit code or signal) and restart, oldest first."""
    from platform_cli.procman.history import History

    ws: Workspace = ctx.obj
    names = names or []
    if names:
        names = ws.project.expand(names)  # checked; @group and instances too
    found = History(ws.settings.data_dir).events(names, limit=lines)
    if as_json:
        from platform_cli.ui.events_view import events_json

        if found:
            print(events_json(found))
    else:
        from platform_cli.ui.events_view import render_events

        render_events(found, ws.out)
