"""Bad command lines: one `error:` line naming what is wrong, a hint pointing at the help, exit 2,
and nothing sent to any service."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("args, message", [
    (("order", "create", "--user", "alice", "--coffee", "latte"), "error: Missing option '--price'."),
    (("order", "create", "--user", "alice", "--coffee", "latte", "--price", "free"),
     "error: Invalid value for '--price': 'free' is not a valid integer."),
    (("start",), "error: Invalid value: name the processes, or use --all"),
    (("stop",), "error: Invalid value: name the processes, or use --all"),
    (("restart",), "error: Invalid value: name the processes, or use --all"),
    (("stop", "web", "--all"), "error: Invalid value: give process names or --all, not both"),
])
def test_a_bad_command_line_is_one_error_line_and_exit_2(project, args, message):
    # No Procfile and no service here: an order that got past the parser would fail otherwise (exit 6, 10 or 11).
    result = project.run(*args)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert lines[0] == message and sum(line.startswith("error:") for line in lines) == 1, lines
    assert lines[1].startswith("hint: see `") and lines[1].endswith(" --help`") and len(lines) == 2, lines
    assert result.stdout == ""
