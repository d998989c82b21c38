"""A bug in a command reaches the user as one `error:` line and a hint, exit 1; with PLATFORM_DEBUG
set, as the traceback. The real CLI entry point (platform_cli.app.main) in a real process, with
one extra command that fails the way a bug would."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

BUGGY_CLI = """
from platform_cli import app

@app.app.command()
def buggy() -> None:
    {}["missing key"]

app.main()
"""


def _run(tmp_path, debug: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLATFORM_")}
    if debug is not None:
        env["PLATFORM_DEBUG"] = debug
    return subprocess.run([sys.executable, "-c", BUGGY_CLI, "buggy"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("debug", [None, ""])
def test_an_internal_error_is_one_line_and_a_hint(tmp_path, debug):
    result = _run(tmp_path, debug)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "error: internal error: KeyError: 'missing key'",
        "hint: rerun with PLATFORM_DEBUG=1 for a traceback",
    ]
    assert result.stdout == ""


def test_with_platform_debug_an_internal_error_shows_its_traceback(tmp_path):
    result = _run(tmp_path, "1")
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[0] == "Traceback (most recent call last):" and lines[-1] == "KeyError: 'missing key'"
    assert any(line.strip().endswith("in buggy") for line in lines), "the traceback reaches the failing command"
    assert "error: internal error" not in result.stderr
