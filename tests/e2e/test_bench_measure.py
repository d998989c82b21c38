"""bench/measure.py's timed(): a command that failed is not a figure (real child processes)."""

from __future__ import annotations

import os
import sys

import pytest

from bench.load import LoadError
from bench.measure import timed


def test_a_command_that_answered_is_timed(tmp_path):
    assert 0 < timed([sys.executable, "-c", "pass"], dict(os.environ), tmp_path) < 60
    assert timed([sys.executable, "-c", "raise SystemExit(3)"], dict(os.environ), tmp_path) > 0  # status: unhealthy


def test_a_command_that_failed_ends_the_run(tmp_path):
    failing = [sys.executable, "-c", "import sys; print('error: supervisord is not running', file=sys.stderr); sys.exit(4)"]
    with pytest.raises(LoadError, match="exited 4: error: supervisord is not running; this run gives no figure"):
        timed(failing, dict(os.environ), tmp_path)
