"""What `up`, `down`, `start` and `stop` do once parsed, without typer or rich.

Two callers parse them: the Typer commands (commands/lifecycle.py) and launcher.py, which takes
their plain forms without building the Typer app, since every millisecond `platform up` spends
importing is one before the first process starts. Both hand over a Workspace and a Reporter
(rich's ProgressReporter or ui/plain_progress.py), so the two paths do the same steps.
"""

from __future__ import annotations

from functools import partial


def run_up(ws, names: list[str], progress) -> list[str]:
    """Start supervisord if needed and the processes in dependency order; the processes started."""
    from platform_cli.procman import prestart

    # supervisord's interpreter imports on the other core while this one reads the project.
    prestart.begin_unless_running(ws.settings.data_dir)
    try:
        from platform_cli.procman.orchestrator import bring_up, register_running

        ws.settle_base_port()  # a second clone: its own ports
        wanted = ws.project.expand(names)  # @group: its processes
        with progress:
            order = bring_up(ws.daemon, ws.project, ws.settings, wanted, progress)
    finally:
        prestart.abandon()  # not taken (an error, or a daemon running after all): it exits
    register_running(ws.daemon, ws.project, ws.settings)
    return order


def run_down(ws) -> None:
    from platform_cli.procman.orchestrator import shut_down

    # One plain line: printed as it is, without rich (~25 ms to import), its markup or its wrapping.
    print(shut_down(ws.daemon, lambda: ws.project), flush=True)


def selected(ws, names: list[str], all_: bool, for_start: bool = False) -> list[str]:
    """The processes a checked `start`/`stop` selection names: --all is every process (for a
    start, the enabled ones: `enabled = false` starts only when named); names expand @groups."""
    if all_:
        return ws.project.enabled_names if for_start else ws.project.names
    return ws.project.expand(names)


def run_start(ws, wanted: list[str], progress) -> None:
    from platform_cli.procman.control import start_processes
    from platform_cli.procman.orchestrator import load_programs

    with progress:
        start_processes(ws.daemon, ws.project, wanted, progress, load=partial(load_programs, ws.daemon, ws.project, ws.settings))


def run_stop(ws, wanted: list[str], say) -> None:
    """Stop `wanted`, dependents first; `say` prints one line per process stopped."""
    from platform_cli.procman.control import stop_processes

    def told(wave: list[str]) -> None:
        for name in wave:
            say(f"stopped {name}")

    stop_processes(ws.daemon, ws.project, wanted, told)
