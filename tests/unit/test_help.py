"""`--help` tells the truth: every parameter is explained, `[default: …]` text survives, and
start/stop/restart say they need names or --all (they refuse a bare call)."""

from __future__ import annotations

import click
import pytest
import typer.main
from typer.testing import CliRunner

from platform_cli.app import app
from platform_cli.errors import UnknownProcessError


def _commands():
    root = typer.main.get_command(app)

    def walk(command, path):
        yield path, command
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                yield from walk(sub, [*path, name])

    return list(walk(root, []))


def _help(*args: str) -> str:
    result = CliRunner().invoke(app, [*args, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())  # wrapping is the terminal's business


def test_every_parameter_of_every_command_has_help():
    missing = [
        f"platform {' '.join(path)} {param.name}"
        for path, command in _commands()
        for param in command.params
        if not (getattr(param, "help", None) or "").strip()
    ]
    assert missing == []


def test_default_text_in_square_brackets_is_shown_not_eaten_as_markup():
    assert "Show the last N lines [default: 15, or all with --since]." in _help("logs")
    assert "[default: the logged-in user]" in _help("order", "list")
    assert "[default: auto]" in _help("tts", "say")


@pytest.mark.parametrize("verb", ["start", "stop", "restart"])
def test_start_stop_restart_help_says_names_or_all_not_default_all(verb):
    text = _help(verb)
    assert "name them or use --all" in text
    assert "default: all" not in text


def test_up_help_still_says_all_by_default():
    assert "(default: all)" in _help("up")


def test_unknown_process_suggests_the_closest_name():
    error = UnknownProcessError(["ordres"], ["redis", "orders", "delivery"])
    assert error.hint == "did you mean orders? known processes: redis, orders, delivery"


def test_unknown_process_with_nothing_close_lists_the_known_ones_only():
    error = UnknownProcessError(["zzz"], ["redis", "orders"])
    assert error.hint == "known processes: redis, orders"


def test_each_unknown_name_gets_its_own_suggestion():
    error = UnknownProcessError(["ordres", "gatway"], ["orders", "gateway"])
    assert error.message == "unknown processes: ordres, gatway"
    assert error.hint.startswith("did you mean orders, gateway?")
