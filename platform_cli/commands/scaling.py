"""scale (and, with it, the other verbs that change how many programs serve a process)."""

from __future__ import annotations

import os
import sys

import typer

from platform_cli.errors import ConfigError, DaemonDownError
from platform_cli.workspace import Workspace


def scale(
    ctx: typer.Context,
    counts: list[str] = typer.Argument(..., metavar="NAME=COUNT...", help="Processes and how many instances each, like orders=3."),
) -> None:
    """Run more or fewer instances of a process, without a failed request through the gateway.

    New instances (orders.2, orders.3, ...) get the next ports of the process's block and join the
    gateway's rotation once ready; leaving ones are drained first. The count is kept in
    data/supervisor/scale.json over platform.toml's `instances` (see README "Scaling and reload").
    """
    from platform_cli.procman.instances import parse_scale

    ws: Workspace = ctx.obj
    wanted: dict[str, int] = {}
    for text in counts:
        try:
            name, count = parse_scale(text)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None
        wanted[name] = count
    ws.project.check_names(list(wanted))
    for name in wanted:
        if ws.project.processes[name].base:
            raise ConfigError(f"{name} is an instance; scale its process: {ws.project.processes[name].base}=N")
    order = apply_scale(ws, wanted)
    from platform_cli.commands.lifecycle import _show_status

    _show_status(ws, order)


def apply_scale(ws: Workspace, wanted: dict[str, int]) -> list[str]:
    from functools import partial

    from platform_cli.procman.instances import load_scale, save_scale
    from platform_cli.procman.project import load_project
    from platform_cli.procman.rollout import Rollout
    from platform_cli.procman.scaling import operation_lock, scale
    from platform_cli.procman.supervisor_conf import make_programs, render_programs
    from platform_cli.ui.progress import ProgressReporter

    s, daemon = ws.settings, ws.daemon
    if not daemon.is_running():
        raise DaemonDownError("supervisord is not running", hint="start the platform with `platform up` (it reads `instances` from platform.toml)")
    order: list[str] = []
    with operation_lock(daemon.run_dir):
        old = load_project(s.procfile, s.base_port, s.dotenv, load_scale(s.data_dir))
        # Checked before anything is kept: a count out of range is refused with the file untouched.
        new = load_project(s.procfile, s.base_port, s.dotenv, {**load_scale(s.data_dir), **wanted})
        for name, count in wanted.items():
            save_scale(s.data_dir, name, count)
        programs = make_programs(new, s.data_dir, os.path.dirname(sys.executable), os.environ.get("PATH", ""))
        render = partial(render_programs, programs, daemon.scripts_dir, new.dir, s.data_dir / "logs", s.procfile,
                         s.log_max_bytes, s.log_backups)
        with ProgressReporter(ws.out) as progress:
            rollout = Rollout(daemon, daemon.client())
            for name in wanted:
                order.extend(scale(rollout, old, new, programs, lambda kept: render(kept=kept), name, s.data_dir, progress))
                old = new
    ws.__dict__["project"] = new  # the status shown next is of the new instances
    return list(dict.fromkeys(order))
