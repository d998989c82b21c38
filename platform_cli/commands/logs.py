"""logs."""

from __future__ import annotations

import os
import re
import sys
import time
from typing import Optional

import typer

from platform_cli.commands.completion import process_names
from platform_cli.errors import ExitCode
from platform_cli.workspace import Workspace

_DURATION = re.compile(r"(\d+(?:\.\d+)?)([smhd])")
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def logs(
    ctx: typer.Context,
    names: Optional[list[str]] = typer.Argument(None, metavar="[NAME]...", autocompletion=process_names, help="Processes (default: all).", show_default=False),
    lines: Optional[int] = typer.Option(None, "-n", "--lines", min=0, help="Show the last N lines [default: 15, or all with --since].", show_default=False),
    follow: bool = typer.Option(False, "-f", "--follow", help="Keep printing new lines until Ctrl-C."),
    since: Optional[str] = typer.Option(None, "--since", metavar="DURATION", help="Only lines from the last DURATION, e.g. 90s, 10m, 1h30m, 2d."),
    err: bool = typer.Option(False, "--err", help="Only stderr lines."),
    no_color: bool = typer.Option(False, "--no-color", help="No colours, even on a terminal."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per line: time, process, stream (stdout, stderr, lifecycle), line."),
) -> None:
    """Every process's output in one stream, in time order: `HH:MM:SS name | line` (stderr: `!`).

    With -f, the platform's own lines are shown as they happen, under the name `system`:
    `system | orders exited (SIGKILL), restarting`, `orders started (pid N)`, `orders stopped`.
    """
    from platform_cli.procman.history import History
    from platform_cli.procman.logfiles import STREAMS, make_stamp
    from platform_cli.procman.logfollow import Follower, follow as follow_lines
    from platform_cli.procman.logtail import last_lines

    ws: Workspace = ctx.obj
    names = names or ws.project.names
    names = ws.project.expand(names)  # checked; `orders` follows its instances too, @web its group
    streams = ("stderr",) if err else STREAMS
    since_stamp = make_stamp(time.time() - parse_duration(since)) if since else b""
    count = lines if lines is not None else (None if since else 15)
    logs_dir = ws.settings.data_dir / "logs"
    lifecycle = follow and not err  # lifecycle lines are no stderr
    printer = make_printer(names, no_color, as_json, lifecycle)
    # The follower marks where it starts before the last lines are read up to that mark:
    # no line is shown twice, and none falls between the two.
    events = History(ws.settings.data_dir).log_path if lifecycle else None
    follower = Follower(logs_dir, names, streams, from_end=True, events=events) if follow else None
    try:
        printer.write(last_lines(logs_dir, names, streams, count, since_stamp, follower.start_offsets() if follower else None))
        if follower:
            follow_lines(follower, printer.write_chunks)
    except KeyboardInterrupt:
        raise typer.Exit(ExitCode.INTERRUPTED) from None
    except BrokenPipeError:  # `platform logs | head`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def make_printer(names: list[str], no_color: bool, as_json: bool, lifecycle: bool = False):
    from platform_cli.ui.log_view import LogPrinter

    color = sys.stdout.isatty() and not no_color and "NO_COLOR" not in os.environ
    return LogPrinter(sys.stdout.buffer, names, color=color, as_json=as_json, lifecycle=lifecycle)


def parse_duration(text: str) -> float:
    """`90s`, `10m`, `1h30m`, `2d` -> seconds."""
    parts = _DURATION.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text.strip():
        raise typer.BadParameter(f"{text!r} is not a duration like 90s, 10m, 1h30m or 2d", param_hint="--since")
    return sum(float(n) * _UNIT_S[u] for n, u in parts)
