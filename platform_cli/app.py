"""The `platform` command: the root Typer app, and main(), the CLI's one error boundary."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Optional

import typer

from platform_cli.commands import account, delivery, events, lifecycle, logs, order, run, status, tts
from platform_cli.errors import ExitCode, PlatformError
from platform_cli.workspace import Workspace

app = typer.Typer(
    name="platform",
    help="Run a Procfile's processes under supervisord: start, watch, restart, inspect.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def root(
    ctx: typer.Context,
    procfile: Optional[Path] = typer.Option(
        None, "-f", "--procfile", help="The Procfile (env PLATFORM_PROCFILE; default ./Procfile)", show_default=False
    ),
    data_dir: Optional[Path] = typer.Option(
        None, "--data-dir", help="Runtime files: logs, socket, records (env PLATFORM_DATA_DIR; default data/ beside the Procfile)", show_default=False
    ),
) -> None:
    ctx.obj = Workspace(procfile, data_dir)


app.command()(lifecycle.up)
app.command()(lifecycle.down)
app.command()(lifecycle.start)
app.command()(lifecycle.stop)
app.command()(lifecycle.restart)
app.command()(status.status)
app.command()(events.events)
app.command()(logs.logs)
app.command()(run.run)
app.add_typer(order.app, name="order")
app.add_typer(delivery.app, name="delivery")
app.add_typer(tts.app, name="tts")
app.command()(account.signup)
app.command()(account.login)
app.command()(account.logout)
app.command()(account.whoami)
app.add_typer(account.users, name="user")


def main() -> None:
    import click

    try:
        code = app(standalone_mode=False)
    except PlatformError as exc:
        code = _report(exc.message, exc.hint, exc.details, exc.exit_code)
    except click.exceptions.Abort:  # Ctrl-C while click was prompting or parsing
        code = _report("interrupted", None, [], ExitCode.INTERRUPTED)
    except KeyboardInterrupt:
        code = _report("interrupted", None, [], ExitCode.INTERRUPTED)
    except click.ClickException as exc:  # usage errors: click's own message, code 2
        exc.show()
        code = exc.exit_code
    except Exception as exc:  # a bug: say so in one line; the traceback only on request
        if os.environ.get("PLATFORM_DEBUG"):
            raise
        code = _report(f"internal error: {type(exc).__name__}: {exc}", "rerun with PLATFORM_DEBUG=1 for a traceback", [], ExitCode.FAILURE)
    sys.exit(int(code or 0))


def _report(message: str, hint: str | None, details: list[str], code: int) -> int:
    print(f"error: {message}", file=sys.stderr)
    if hint:
        print(f"hint: {hint}", file=sys.stderr)
    for line in details:
        print(line, file=sys.stderr)
    return code
