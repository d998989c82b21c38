"""up, down, start, stop, restart: parse, call procman/orchestrator.py or procman/control.py, render."""

from __future__ import annotations

from functools import partial
from typing import Optional

import typer

from platform_cli.commands.completion import process_names
from platform_cli.workspace import Workspace

Names = typer.Argument(None, metavar="[NAME]...", show_default=False, autocompletion=process_names,
                       help="Process names from the Procfile, or @group (default: all); enabled = false ones only when named.")
# start, stop and restart act on nothing by default: a bare `platform stop` is refused, not "all".
Selected = typer.Argument(None, metavar="[NAME]...", help="Process names from the Procfile, or @group; name them or use --all.",
                          show_default=False, autocompletion=process_names)
AllFlag = typer.Option(False, "--all", help="Every process in the Procfile (instead of names).")


def up(ctx: typer.Context, names: Optional[list[str]] = Names,
       watch: bool = typer.Option(False, "--watch", help="Then reload processes when their files change (platform.toml `watch`), until Ctrl-C.")) -> None:
    """Start supervisord if needed, load the Procfile and start processes in dependency order.

    Each process starts only once everything it depends on is ready. Running processes are left as
    they are, so a second `up` starts nothing twice; one whose command, settings, .env or
    dependencies' addresses changed is restarted, one at a time, saying why. Ends with the status
    table.
    """
    from platform_cli.lifecycle_run import run_up
    from platform_cli.ui.progress import ProgressReporter

    ws: Workspace = ctx.obj
    order = run_up(ws, names or [], ProgressReporter(ws.out))
    _show_status(ws, order if names else [])  # all: the very rows of `platform status`, in its order
    if watch:
        from platform_cli.commands.scaling import watch_and_reload

        watch_and_reload(ws)


def down(ctx: typer.Context) -> None:
    """Stop every process and supervisord; afterwards nothing the platform started is alive."""
    from platform_cli.lifecycle_run import run_down

    run_down(ctx.obj)


def start(ctx: typer.Context, names: Optional[list[str]] = Selected, all_: bool = AllFlag) -> None:
    """Start processes (and what they depend on) and wait until they are ready."""
    from platform_cli.lifecycle_run import run_start, selected
    from platform_cli.ui.progress import ProgressReporter

    ws: Workspace = ctx.obj
    _check_selection(names, all_)  # a bad command line is told before the project is even read
    run_start(ws, selected(ws, names, all_, for_start=True), ProgressReporter(ws.out))


def stop(ctx: typer.Context, names: Optional[list[str]] = Selected, all_: bool = AllFlag) -> None:
    """Stop processes (dependents first; the others all at once); supervisord keeps running."""
    from platform_cli.lifecycle_run import run_stop, selected

    ws: Workspace = ctx.obj
    _check_selection(names, all_)
    run_stop(ws, selected(ws, names, all_), ws.out.print)


def restart(ctx: typer.Context, names: Optional[list[str]] = Selected, all_: bool = AllFlag) -> None:
    """Stop processes, start them again, and wait until they are ready."""
    from platform_cli.lifecycle_run import selected
    from platform_cli.procman.control import restart_processes
    from platform_cli.procman.orchestrator import load_programs
    from platform_cli.ui.progress import ProgressReporter

    ws: Workspace = ctx.obj
    _check_selection(names, all_)
    wanted = selected(ws, names, all_)
    with ProgressReporter(ws.out) as progress:
        restart_processes(ws.daemon, ws.project, wanted, progress, load=partial(load_programs, ws.daemon, ws.project, ws.settings))


def _check_selection(names: list[str] | None, all_: bool) -> None:
    """launcher.py leaves both of these forms to this command, to be told here."""
    if all_ and names:
        raise typer.BadParameter("give process names or --all, not both")
    if not all_ and not names:
        raise typer.BadParameter("name the processes, or use --all")


def _show_status(ws: Workspace, names: list[str]) -> None:
    from platform_cli.status_report import collect_rows
    from platform_cli.ui.status_view import render_status

    ws.out.print()
    render_status(collect_rows(ws, names), ws.out)  # the very table `platform status` shows
