"""The pure parts of `platform monit`: sparklines, the per-process history, the row cells."""

from __future__ import annotations

import pytest

from platform_cli.procman import health
from platform_cli.procman.snapshot import ProcessStatus
from platform_cli.ui.monit_model import HISTORY_POINTS, History, columns, matches, row_cells, sparkline

pytestmark = pytest.mark.unit


def test_sparkline_scales_to_its_maximum_and_pads_on_the_left():
    assert sparkline([0, 5, 10], 5) == "  ▁▅█"
    assert sparkline([], 3) == "   "
    assert sparkline([1, 1], 2, floor=8.0) == "▂▂"  # a floor keeps 1 % CPU from looking full
    assert sparkline([0, 0], 2) == "▁▁"


def test_memory_sparkline_shows_its_movement_and_a_level_line_when_still():
    assert sparkline([100, 150, 200], 3, relative=True) == "▁▅█"
    assert sparkline([1000, 1001, 1000], 4, relative=True) == " ▄▄▄"


def test_history_starts_again_when_the_pid_changes_and_keeps_the_last_minutes():
    history = History()
    for cpu in range(HISTORY_POINTS + 10):
        history.add([ProcessStatus("api", "RUNNING", pid=10, cpu_percent=float(cpu), memory_bytes=cpu)])
    assert len(history.of("api").cpu) == HISTORY_POINTS and history.of("api").cpu[-1] == HISTORY_POINTS + 9
    history.add([ProcessStatus("api", "RUNNING", pid=11, cpu_percent=1.0, memory_bytes=5)])
    assert list(history.of("api").cpu) == [1.0]
    history.add([ProcessStatus("api", "STOPPED")])
    assert list(history.of("api").cpu) == []


def test_row_cells_fit_the_columns_narrow_and_wide():
    row = ProcessStatus("api", "STARTING", pid=42, uptime_s=75, restarts=2, cpu_percent=3.2, memory_bytes=20 << 20, port=8000,
                        health=health.HealthResult(True, 12.4, ""))
    narrow, wide = row_cells(row, History().of("api"), False), row_cells(row, History().of("api"), True)
    assert narrow[:5] == ("api", "RUNNING", "ok 12ms", "2", "1m15s")  # STARTING with a passing probe is up
    assert len(narrow) == len(columns(False)) and len(wide) == len(columns(True)) and wide[-1] == "42"


def test_filter_is_a_case_insensitive_part_of_the_name():
    assert matches("Orders", "ord") and not matches("tts", "ord") and matches("x", "")
