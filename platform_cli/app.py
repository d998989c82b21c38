"""The `platform` command: the root Typer app, and main(), the CLI's error boundary (launcher.py
runs a plain `platform status` without building this app, and ends its errors the same way)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Optional

import typer

from platform_cli.commands import account, agents, attach, delivery, events, export, lifecycle, logs, machine, monit, order, run, scaling, startup, status, tts
from platform_cli.errors import ExitCode, PlatformError
from platform_cli.launcher import report
from platform_cli.workspace import ANYWHERE, Workspace

app = typer.Typer(
    name="platform",
    help="Run a Procfile's processes under supervisord: start, watch, restart, inspect.",
    no_args_is_help=True,
    # Help is plain click text: rich markup would eat every `[default: …]` as a style tag, and
    # plain help keeps `--help` from importing rich at all.
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            found = version("platform-cli")
        except PackageNotFoundError:  # run from a source tree that was never installed
            found = "unknown (not installed)"
        print(f"platform {found}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    procfile: Optional[Path] = typer.Option(
        None, "-f", "--procfile", help="The Procfile (env PLATFORM_PROCFILE; default: the Procfile here or in the nearest folder above)", show_default=False
    ),
    data_dir: Optional[Path] = typer.Option(
        None, "--data-dir", help="Runtime files: logs, socket, records (env PLATFORM_DATA_DIR; default data/ beside the Procfile)", show_default=False
    ),
    profile: Optional[str] = typer.Option(
        None, "--env", help="An environment profile: .env.NAME layered over .env (env PLATFORM_ENV)", show_default=False, metavar="NAME"
    ),
    version: bool = typer.Option(
        False, "--version", "-V", help="Print the version and exit.", callback=_print_version, is_eager=True, expose_value=False
    ),
) -> None:
    ctx.obj = Workspace(procfile, data_dir, anywhere=ctx.invoked_subcommand in ANYWHERE, profile=profile)


app.command()(lifecycle.up)
app.command()(lifecycle.down)
app.command()(lifecycle.start)
app.command()(lifecycle.stop)
app.command()(lifecycle.restart)
app.command()(scaling.scale)
app.command()(scaling.reload)
app.command()(status.status)
app.command()(monit.monit)
app.command()(events.events)
app.command()(logs.logs)
app.command()(run.run)
app.command()(startup.startup)
app.command()(startup.unstartup)
app.command()(agents.mcp)
app.command()(attach.attach)
app.command()(machine.ls)
app.add_typer(order.app, name="order")
app.add_typer(delivery.app, name="delivery")
app.add_typer(tts.app, name="tts")
app.command()(account.signup)
app.command()(account.login)
app.command()(account.logout)
app.command()(account.whoami)
app.add_typer(account.users, name="user")
app.add_typer(export.exports, name="export")
app.add_typer(export.imports, name="import")


def main() -> None:
    import click

    try:
        code = app(prog_name="platform", standalone_mode=False)
    except PlatformError as exc:
        code = report(exc.message, exc.hint, exc.details, exc.exit_code)
    except click.exceptions.Abort:  # Ctrl-C while click was prompting or parsing
        code = report("interrupted", None, [], ExitCode.INTERRUPTED)
    except KeyboardInterrupt:
        code = report("interrupted", None, [], ExitCode.INTERRUPTED)
    except click.UsageError as exc:  # bad flags or arguments: one error line, as for every error; code 2
        hint = f"see `{exc.ctx.command_path} --help`" if exc.ctx else None
        code = report(exc.format_message(), hint, [], exc.exit_code)
    except click.ClickException as exc:
        code = report(exc.format_message(), None, [], exc.exit_code)
    except Exception as exc:  # a bug: say so in one line; the traceback only on request
        if os.environ.get("PLATFORM_DEBUG"):
            raise
        code = report(f"internal error: {type(exc).__name__}: {exc}", "rerun with PLATFORM_DEBUG=1 for a traceback", [], ExitCode.FAILURE)
    sys.exit(int(code or 0))

