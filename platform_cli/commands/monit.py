"""monit."""

from __future__ import annotations

import typer

from platform_cli.workspace import Workspace


def monit(ctx: typer.Context) -> None:
    """A full-screen live view: one row per process, its CPU and memory over the last minutes, its log below.

    Keys: ↑/↓ select, r restart, s stop/start, l log full screen, / filter by name, q quit.
    The facts are those of `platform status`, refreshed every second.
    """
    ws: Workspace = ctx.obj
    _ = ws.project  # a broken Procfile is an error line before the screen is taken over
    ws.client().state()  # supervisord down: DaemonDownError, exit 4, before the screen is taken over
    from platform_cli.procman.control import act_on
    from platform_cli.procman.logtail import recent_output
    from platform_cli.procman.snapshot import take_snapshot
    from platform_cli.ui.monit_app import MonitApp

    data_dir = ws.settings.data_dir
    live = ws.live_project()  # instances `platform scale` adds or removes show at the next refresh
    MonitApp(
        # A client per call: the refresh and an action run in threads of their own, and an
        # XML-RPC proxy is not shared between threads.
        take=lambda: take_snapshot(ws.client(), live.current(), [], data_dir),
        act=lambda verb, name: act_on(ws.client(), live.current(), verb, name),
        read_log=lambda name, lines: recent_output(data_dir, name, lines),
    ).run()
