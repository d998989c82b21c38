"""The `platform` console script: a plain `platform status` runs here, everything else in the Typer app.

`platform status` is typed many times a day and should cost no more than `supervisorctl status`.
Building the Typer app means importing typer, click and every command module (~50 ms), and the
rich table another ~35 ms: more than the RPC and the files it reads. So the argv of the common
forms — root -f/--procfile, --data-dir, --env; then `status`, process names, --json — is read
here, and the same report is printed (status_report.py) with the table drawn by
ui/status_table.py. Anything else (--help, --watch, --probe, an unknown or repeated flag, shell
completion) goes to app.main unchanged, which parses it as it always has. A table only rich can
be sure to draw as it always has (an environment that asks rich for more than plain colours, a
cell rich measures by its own tables) is drawn here by rich, at the cost of importing it.
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


def main() -> None:
    request = parse_status_argv(sys.argv[1:], os.environ)
    if request is None:
        from platform_cli.app import main as typer_main

        typer_main()
        return
    sys.exit(int(run_status(request)))


def parse_status_argv(argv: list[str], environ) -> StatusRequest | None:
    """The plain status `argv` asks for, or None for anything the lean path does not know."""
    if "_PLATFORM_COMPLETE" in environ or "_TYPER_COMPLETE_ARGS" in environ:
        return None  # shell completion: click's business
    request = StatusRequest()
    seen: set[str] = set()
    args = iter(argv)
    for arg in args:
        if arg == "status":
            break
        option, equals, value = arg.partition("=")
        if option not in ROOT_OPTIONS or (equals and option == "-f") or ROOT_OPTIONS[option] in seen:
            return None
        if not equals:
            value = next(args, None)
        if not value or value.startswith("-"):
            return None  # missing or odd: click's own error message
        seen.add(ROOT_OPTIONS[option])
        setattr(request, ROOT_OPTIONS[option], value)
    else:
        return None  # no `status`: another command, or none
    for arg in args:
        if arg == "--json":
            request.as_json = True
        elif arg and not arg.startswith("-"):
            request.names.append(arg)
        else:
            return None  # --help, --watch, --probe, --, a typo: the Typer app answers
    return request


def run_status(request: StatusRequest) -> int:
    """The status report, as the Typer command prints it; errors end as app.main ends them."""
    from platform_cli.errors import ExitCode, PlatformError

    try:
        return _report_status(request)
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
    from platform_cli.workspace import Workspace

    # As the root callback builds it: typer hands -f and --data-dir over as Paths.
    ws = Workspace(_path(request.procfile), _path(request.data_dir), anywhere=False, profile=request.profile)
    names = ws.project.expand(request.names)  # checked; `orders` shows its instances too, @web its group
    shape = _console_shape(os.environ, sys.stdout)

    def draw_table(rows) -> None:
        from platform_cli.ui.status_table import render_plain

        text = None if shape is None else render_plain(rows, *shape)
        if text is None:  # only rich can draw this one (see ui/status_table.py): as the Typer command does
            from platform_cli.ui.status_view import render_status

            render_status(rows, ws.out)
        else:
            sys.stdout.write(text)

    return report_status(ws, names, request.as_json, draw_table)


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
