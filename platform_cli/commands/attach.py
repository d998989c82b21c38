"""attach: the terminal of a process run with `tty = true`."""

from __future__ import annotations

import typer

from platform_cli.commands.completion import process_names
from platform_cli.workspace import Workspace


def attach(ctx: typer.Context, name: str = typer.Argument(..., metavar="NAME", autocompletion=process_names, help="A process with tty = true.")) -> None:
    """Attach this terminal to a process run with `tty = true` (a debugger's prompt); Ctrl-] detaches and leaves it running."""
    from platform_cli.procman.attach import attach as join

    ws: Workspace = ctx.obj
    ws.project.check_names([name])
    spec = ws.project.processes[name]
    if spec.tty:
        typer.echo(f"attached to {name}; Ctrl-] detaches", err=True)
    how = join(ws.settings.data_dir, spec)
    typer.echo(f"\r\n{'detached from' if how == 'detached' else 'ended:'} {name}", err=True)
