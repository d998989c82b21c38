"""run."""

from __future__ import annotations

import signal
from typing import Optional

import typer

from platform_cli.commands.completion import process_names
from platform_cli.errors import ExitCode, PlatformError
from platform_cli.workspace import Workspace


def run(
    ctx: typer.Context,
    names: Optional[list[str]] = typer.Argument(None, metavar="[NAME]...", autocompletion=process_names, help="Processes (default: all).", show_default=False),
    no_color: bool = typer.Option(False, "--no-color", help="No colours, even on a terminal."),
) -> None:
    """Run the Procfile in the foreground, for containers and CI (like pm2-runtime).

    Same readiness order, restarts and crash records as `up`; every process's output merged on
    stdout, with each start, exit and stop as a `system` line. Ctrl-C (exit 130) or SIGTERM (exit 0) stops everything. A crashing process is restarted
    while the others keep running.
    """
    from platform_cli.commands.logs import make_printer
    from platform_cli.procman.history import History
    from platform_cli.procman.logfollow import Follower, follow
    from platform_cli.procman.orchestrator import bring_up, register_running, shut_down
    from platform_cli.ui.progress import ProgressReporter

    ws: Workspace = ctx.obj
    if ws.daemon.is_running():
        raise PlatformError(
            "platform is already running in the background for this data dir",
            hint="follow it with `platform logs -f`, or stop it with `platform down` first",
        )
    ws.settle_base_port()  # a second clone: its own ports
    names = ws.project.expand(names or []) or ws.project.enabled_names  # @group; enabled = false only when named
    selected = ws.project.start_order(names)
    received: list[int] = []

    def on_sigterm(signum, frame):
        received.append(signum)
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_sigterm)
    printer = make_printer(selected, no_color, as_json=False, lifecycle=True)
    # Opened before anything starts, so every line of this run is shown, from the first, with
    # each start, exit and stop as a lifecycle line.
    follower = Follower(ws.settings.data_dir / "logs", selected, from_end=True, events=History(ws.settings.data_dir).log_path)
    try:
        with ProgressReporter(ws.out) as progress:
            bring_up(ws.daemon, ws.project, ws.settings, names, progress)
        register_running(ws.daemon, ws.project, ws.settings)
        follow(follower, printer.write_chunks)
    except (KeyboardInterrupt, BrokenPipeError):  # BrokenPipe: `platform run | head` has what it wanted
        pass
    finally:
        # Stopping takes a moment: a second SIGTERM or Ctrl-C must not cut it short, and a closed
        # stdout must not keep it from happening.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            message = shut_down(ws.daemon, lambda: ws.project)
        finally:
            try:
                printer.write_chunks(follower.poll())  # what the processes said while stopping
            except BrokenPipeError:
                pass
        ws.err.print(message)
    raise typer.Exit(ExitCode.OK if received else ExitCode.INTERRUPTED)
