"""The plain status table prints the very bytes rich prints (colours included), or declines; and the
lean path's argv reading takes only the forms it knows, leaving everything else to the Typer app."""

from __future__ import annotations

import io

import pytest
from rich.cells import cell_len
from rich.console import Console

from platform_cli.launcher import StatusRequest, _console_shape, parse_status_argv
from platform_cli.procman.health import HealthResult
from platform_cli.procman.snapshot import ProcessStatus
from platform_cli.ui.status_table import ONE_CELL, render_plain
from platform_cli.ui.status_view import render_status
from tests.unit.test_status_view import _stack, _watched


def _with_log_tails() -> list[ProcessStatus]:
    rows = _stack()
    rows[3].log_tail = ["[stderr] boom", "Traceback (most recent call last):", "x" * 40]
    return rows


def _scheduled_and_completed() -> list[ProcessStatus]:
    return [ProcessStatus("tick", "EXITED", completed=True, next_run=1_900_000_000.0, may_rest=True),
            ProcessStatus("web", "STARTING", pid=7, health=HealthResult(True, None, "timed out"), health_age_s=2.2),
            ProcessStatus("bad", "FATAL", restarts=2, last_exit={"exit": "SIGSEGV", "time": "2026-01-01T10:11:13"})]


def _rich(rows, width: int, color: bool) -> str:
    out = io.StringIO()
    render_status(rows, Console(file=out, width=width, force_terminal=color, color_system="standard" if color else None, highlight=False))
    return out.getvalue()


@pytest.mark.parametrize("color", [False, True], ids=["piped", "terminal"])
@pytest.mark.parametrize("width", [46, 60, 80, 100, 160, 200])
@pytest.mark.parametrize("rows", [_stack, _watched, _with_log_tails, _scheduled_and_completed])
def test_the_plain_table_is_byte_for_byte_what_rich_prints(rows, width, color):
    plain = render_plain(rows(), width, color)
    assert plain is not None
    assert plain == _rich(rows(), width, color)


def test_colours_only_when_asked():
    assert "\x1b[" not in render_plain(_watched(), 200, False)
    assert "\x1b[32mRUNNING\x1b[0m" in render_plain(_watched(), 200, True)


def test_it_declines_what_only_rich_can_draw_and_rich_draws_it():
    # Too narrow for name+state+health: rich cuts a cell with an ellipsis.
    assert render_plain(_stack(), 30, False) is None
    # A width rich looks up in its tables (a wide character), a control character rich strips.
    assert render_plain([ProcessStatus("웹", "RUNNING", pid=1)], 80, False) is None
    assert render_plain([ProcessStatus("web", "RUNNING", pid=1, health=HealthResult(False, None, "bad\rreply"))], 80, False) is None
    # A log line longer than the terminal (rich wraps it), or ending in a space.
    long_tail = [ProcessStatus("bad", "FATAL", log_tail=["y" * 90])]
    assert render_plain(long_tail, 80, False) is None
    assert render_plain([ProcessStatus("bad", "FATAL", log_tail=["trailing "])], 80, False) is None
    assert render_plain(long_tail, 200, False) == _rich(long_tail, 200, False)


def test_the_characters_taken_as_one_cell_are_one_cell_for_rich_too():
    assert {ch: cell_len(ch) for ch in ONE_CELL} == dict.fromkeys(ONE_CELL, 1)


@pytest.mark.parametrize("argv, request_", [
    (["status"], StatusRequest()),
    (["status", "--json"], StatusRequest(as_json=True)),
    (["status", "web", "--json", "@api"], StatusRequest(names=["web", "@api"], as_json=True)),
    (["-f", "P", "--data-dir=/d", "--env", "prod", "status", "web"],
     StatusRequest(procfile="P", data_dir="/d", profile="prod", names=["web"])),
    (["--procfile=P", "status"], StatusRequest(procfile="P")),
])
def test_the_lean_path_takes_plain_status(argv, request_):
    assert parse_status_argv(argv, {}) == request_


@pytest.mark.parametrize("argv", [
    [], ["--help"], ["--version"], ["up"], ["logs", "status"], ["status", "--help"], ["status", "-h"], ["status", "--probe"],
    ["status", "--watch"], ["status", "-w"], ["status", "--"], ["status", "--jsn"], ["status", ""], ["-f", "status"],
    ["-f"], ["-fP", "status"], ["-f=P", "status"], ["-f", "a", "-f", "b", "status"], ["--data-dir", "", "status"], ["-V", "status"],
])
def test_anything_else_goes_to_the_typer_app(argv):
    assert parse_status_argv(argv, {}) is None


def test_shell_completion_goes_to_the_typer_app():
    assert parse_status_argv(["status"], {"_PLATFORM_COMPLETE": "bash_complete"}) is None


class _Stream:
    def __init__(self, tty: bool, encoding: str = "utf-8"):
        self.tty = tty
        self.encoding = encoding

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize("environ, tty, shape", [
    ({}, False, (160, False)),  # workspace._console's width for a pipe
    ({"COLUMNS": "80"}, False, (80, False)),
    ({"COLUMNS": "80"}, True, (80, True)),
    ({"COLUMNS": "wide"}, False, None),  # rich would measure stdin's terminal, if it is one
    ({"COLUMNS": "0"}, False, None),
    ({"NO_COLOR": "1"}, True, None),  # rich keeps bold and dim: let it
    ({"FORCE_COLOR": "1"}, False, None),
    ({"TERM": "dumb"}, True, None),
])
def test_the_console_shape_is_what_rich_would_choose_or_none(environ, tty, shape):
    assert _console_shape(environ, _Stream(tty)) == shape


def test_an_output_that_is_not_utf8_is_left_to_rich():
    assert _console_shape({}, _Stream(False, "ascii")) is None
    assert _console_shape({}, _Stream(False, "UTF-8")) == (160, False)
