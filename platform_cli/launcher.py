"""The `platform` console script: the plain forms of `status`, `up`, `start`, `stop` and `down` run
here, everything else in the Typer app.

`platform status` is typed many times a day and should cost no more than `supervisorctl status`.
Building the Typer app means importing typer, click and every command module (~50 ms), and the
rich table another ~35 ms: more than the RPC and the files it reads. So the argv of the common
forms — root -f/--procfile, --data-dir, --env; then `status`, process names, --json — is read
here, and the same report is printed (status_report.py) with the table drawn by
ui/status_table.py. Anything else (--help, --watch, --probe, an unknown or repeated flag, shell
completion) goes to app.main unchanged, which parses it as it always has. A table only rich can
be sure to draw as it always has (an environment that asks rich for more than plain colours, a
cell rich measures by its own tables) is drawn here by rich, at the cost of importing it.

`up`, `start` and `stop` (names, @groups, --all) and `down` are taken the same way, for the same
reason and one more: `up` spends that time before supervisord, so before any process, can
start. They run lifecycle_run.py as the Typer commands do; on a terminal the progress is rich's
(its spinner), on a pipe ui/plain_progress.py prints the lines rich would. `up --watch`,
`restart`, help and any form click must refuse (names and --all, neither) go to the Typer app.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

# The root options the lean path knows, each taking a value, with the field each one fills.
ROOT_OPTIONS = {"-f": "procfile", "--procfile": "procfile", "--data-dir": "data_dir", "--env": "profile"}
# Any of these asks rich for a terminal, colours or widths of its own making: let rich decide.
RICH_ENVIRONMENT = ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "NO_COLOR", "JUPYTER_COLUMNS")


@dataclass
class StatusRequest:
    """A plain `platform status` as typed: what the root callback and the command would receive."""

    procfile: str | None = None
    data_dir: str | None = None
    profile: str | None = None
    names: list[str] = field(default_factory=list)
    as_json: bool = False


@dataclass
class LifecycleRequest:
    """A plain `up`, `start`, `stop` or `down`: the root options, the names, --all."""

    command: str
    procfile: str | None = None
    data_dir: str | None = None
    profile: str | None = None
    names: list[str] = field(default_factory=list)
    all_: bool = False


LIFECYCLE = ("up", "start", "stop", "down")


def main() -> None:
    argv = sys.argv[1:]
    status = parse_status_argv(argv, os.environ)
    if status is not None:
        sys.exit(int(guarded(_report_status, status)))
    lifecycle = parse_lifecycle_argv(argv, os.environ)
    if lifecycle is not None:
        sys.exit(int(guarded(_run_lifecycle, lifecycle)))
    from platform_cli.app import main as typer_main

    typer_main()


def parse_status_argv(argv: list[str], environ) -> StatusRequest | None:
    """The plain status `argv` asks for, or None for anything the lean path does not know."""
    split = _split_root(argv, environ, ("status",))
    if split is None:
        return None
    root, _, args = split
    request = StatusRequest(**root)
    for arg in args:
        if arg == "--json":
            request.as_json = True
        elif arg and not arg.startswith("-"):
            request.names.append(arg)
        else:
            return None  # --help, --watch, --probe, --, a typo: the Typer app answers
    return request


def parse_lifecycle_argv(argv: list[str], environ) -> LifecycleRequest | None:
    """The plain up/start/stop/down `argv` asks for, or None for anything else (the Typer app's)."""
    split = _split_root(argv, environ, LIFECYCLE)
    if split is None:
        return None
    root, command, args = split
    request = LifecycleRequest(command, **root)
    for arg in args:
        if arg == "--all" and command in ("start", "stop") and not request.all_:
            request.all_ = True
        elif arg and not arg.startswith("-") and command != "down":
            request.names.append(arg)
        else:
            return None  # --watch, --help, --, a typo, a name for `down`: the Typer app answers
    if command in ("start", "stop") and bool(request.names) == request.all_:
        return None  # names and --all, or neither: the Typer command's own error
    return request


def _split_root(argv: list[str], environ, commands: tuple[str, ...]) -> tuple[dict, str, list[str]] | None:
    """(root options, the command, its arguments) when `argv` is root options the lean path knows
    followed by one of `commands`; None otherwise."""
    if "_PLATFORM_COMPLETE" in environ or "_TYPER_COMPLETE_ARGS" in environ:
        return None  # shell completion: click's business
    root: dict[str, str] = {}
    args = iter(argv)
    for arg in args:
        if arg in commands:
            return root, arg, list(args)
        option, equals, value = arg.partition("=")
        if option not in ROOT_OPTIONS or (equals and option == "-f") or ROOT_OPTIONS[option] in root:
            return None
        if not equals:
            value = next(args, None)
        if not value or value.startswith("-"):
            return None  # missing or odd: click's own error message
        root[ROOT_OPTIONS[option]] = value
    return None  # none of `commands`: another command, or none


def guarded(run, request) -> int:
    """run(request)'s exit code; errors end as app.main ends them."""
    from platform_cli.errors import ExitCode, PlatformError

    try:
        return run(request)
    except PlatformError as exc:
        return report(exc.message, exc.hint, exc.details, exc.exit_code)
    except KeyboardInterrupt:
        return report("interrupted", None, [], ExitCode.INTERRUPTED)
    except Exception as exc:  # a bug: say so in one line; the traceback only on request
        if os.environ.get("PLATFORM_DEBUG"):
            raise
        return report(f"internal error: {type(exc).__name__}: {exc}", "rerun with PLATFORM_DEBUG=1 for a traceback", [], ExitCode.FAILURE)


def report(message: str, hint: str | None, details: list[str], code: int) -> int:
    """The CLI's error lines on stderr (app.main's too); returns the exit code."""
    print(f"error: {message}", file=sys.stderr)
    if hint:
        print(f"hint: {hint}", file=sys.stderr)
    for line in details:
        print(line, file=sys.stderr)
    return code


def _report_status(request: StatusRequest) -> int:
    from platform_cli.status_report import report as report_status

    ws = _workspace(request)
    names = ws.project.expand(request.names)  # checked; `orders` shows its instances too, @web its group
    shape = _console_shape(os.environ, sys.stdout)
    return report_status(ws, names, request.as_json, lambda rows: _draw_table(ws, rows, shape))


def _run_lifecycle(request: LifecycleRequest) -> int:
    """As commands/lifecycle.py runs the same command."""
    from platform_cli import lifecycle_run

    ws = _workspace(request)
    shape = _console_shape(os.environ, sys.stdout)
    if request.command == "down":
        lifecycle_run.run_down(ws)
    elif request.command == "stop":
        lifecycle_run.run_stop(ws, lifecycle_run.selected(ws, request.names, request.all_), lambda line: _say(ws, line, shape))
    elif request.command == "start":
        wanted = lifecycle_run.selected(ws, request.names, request.all_, for_start=True)
        lifecycle_run.run_start(ws, wanted, _progress(ws, shape))
    else:
        from platform_cli.status_report import collect_rows

        order = lifecycle_run.run_up(ws, request.names, _progress(ws, shape))
        rows = collect_rows(ws, order if request.names else [])  # what commands/lifecycle.py's _show_status shows
        _say(ws, "", shape)
        _draw_table(ws, rows, shape)
    return 0


def _workspace(request):
    from platform_cli.workspace import Workspace

    # As the root callback builds it: typer hands -f and --data-dir over as Paths.
    return Workspace(_path(request.procfile), _path(request.data_dir), anywhere=False, profile=request.profile)


def _draw_table(ws, rows, shape) -> None:
    from platform_cli.ui.status_table import render_plain

    text = None if shape is None else render_plain(rows, *shape)
    if text is None:  # only rich can draw this one (see ui/status_table.py): as the Typer command does
        from platform_cli.ui.status_view import render_status

        render_status(rows, ws.out)
    else:
        sys.stdout.write(text)


def _progress(ws, shape):
    """On a pipe, the lines rich would print; on a terminal, rich's own reporter (the spinner)."""
    if shape is not None and not shape[1]:
        from platform_cli.ui.plain_progress import PlainProgress

        return PlainProgress(shape[0], lambda: ws.out)
    from platform_cli.ui.progress import ProgressReporter

    return ProgressReporter(ws.out)


def _say(ws, line: str, shape) -> None:
    """One line as ws.out.print prints it (a name-only line has no markup for rich to read)."""
    from platform_cli.ui.plain_progress import plain

    if shape is not None and plain(line, shape[0]):
        print(line, flush=True)
    else:
        ws.out.print(line)


def _path(value: str | None) -> Path | None:
    return None if value is None else Path(value)


def _console_shape(environ, stream) -> tuple[int, bool] | None:
    """The width and colour (on or off) rich would give workspace._console(stderr=False), or None
    where the environment makes rich decide more than that (RICH_ENVIRONMENT, a dumb terminal, an
    output that is not UTF-8)."""
    if any(name in environ for name in RICH_ENVIRONMENT) or sys.platform == "win32":
        return None
    if (getattr(stream, "encoding", None) or "").lower().replace("-", "") != "utf8":
        return None  # ↺ may not encode: rich words that error its own way
    from platform_cli.workspace import PIPED_WIDTH  # the width ws.out has on a pipe

    columns = environ.get("COLUMNS")
    given = int(columns) if columns and columns.isdigit() and int(columns) > 0 else None
    if not stream.isatty():
        if columns and given is None:
            return None  # rich would measure whatever terminal stdin or stderr is
        return (given or PIPED_WIDTH, False)
    if environ.get("TERM", "").lower() in ("dumb", "unknown"):
        return None
    if given is None and columns:
        return None
    if given is None:
        for fd in (0, 1, 2):  # rich's order: the first standard stream that is a terminal
            try:
                given = os.get_terminal_size(fd).columns
            except (AttributeError, ValueError, OSError):
                continue
            break
    return (given or 80, True)
