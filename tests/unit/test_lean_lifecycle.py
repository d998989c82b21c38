"""launcher.py's plain up/start/stop/down: which argv it takes (the rest is the Typer app's), and
ui/plain_progress.py printing what rich's ProgressReporter prints on a pipe."""

import io

import pytest
from rich.console import Console

from platform_cli.launcher import LifecycleRequest, parse_lifecycle_argv, parse_status_argv
from platform_cli.ui.plain_progress import PlainProgress
from platform_cli.ui.progress import ProgressReporter


@pytest.mark.parametrize("argv, request_", [
    (["up"], LifecycleRequest("up")),
    (["up", "web", "@api"], LifecycleRequest("up", names=["web", "@api"])),
    (["down"], LifecycleRequest("down")),
    (["start", "--all"], LifecycleRequest("start", all_=True)),
    (["stop", "web", "worker"], LifecycleRequest("stop", names=["web", "worker"])),
    (["-f", "P", "--data-dir=/d", "--env", "prod", "start", "web"],
     LifecycleRequest("start", procfile="P", data_dir="/d", profile="prod", names=["web"])),
])
def test_the_lean_path_takes_plain_lifecycle_commands(argv, request_):
    assert parse_lifecycle_argv(argv, {}) == request_
    assert parse_status_argv(argv, {}) is None


@pytest.mark.parametrize("argv", [
    ["up", "--watch"], ["up", "-h"], ["up", "--"], ["up", ""], ["down", "web"], ["down", "--help"],
    ["start"], ["stop"], ["start", "web", "--all"], ["stop", "--all", "--all"], ["up", "--all"], ["restart", "--all"],
    ["-f", "up"], ["--data-dir", "", "down"], ["-V", "up"], ["logs", "up"], ["status"],
])
def test_anything_else_goes_to_the_typer_app(argv):
    assert parse_lifecycle_argv(argv, {}) is None


def test_shell_completion_goes_to_the_typer_app():
    assert parse_lifecycle_argv(["start", "--all"], {"_PLATFORM_COMPLETE": "bash_complete"}) is None


def _steps(reporter):
    with reporter:
        reporter.note("started supervisord (pid 4242)")
        reporter.waiting("gateway", ["orders", "tts"])
        reporter.starting("orders", "http:/health")
        reporter.ready("orders", 0.4567, already=False)
        reporter.ready("redis", 0.0, already=True)
        reporter.note("orders: .env changed (FOO), restarting")
        reporter.note("a note far longer than the width, which rich wraps at a space rather than in a word " * 2)
        reporter.note("trailing blank ")
        reporter.note("tab\there")


@pytest.mark.parametrize("width", [160, 80, 40])
def test_plain_progress_prints_what_rich_prints_on_a_pipe(capsys, width):
    rich_out = io.StringIO()
    _steps(ProgressReporter(Console(file=rich_out, width=width, highlight=False, force_terminal=False)))
    _steps(PlainProgress(width, lambda: Console(highlight=False, width=width)))
    assert capsys.readouterr().out == rich_out.getvalue()
    assert "✓ orders ready in 0.46s\n" in rich_out.getvalue()
