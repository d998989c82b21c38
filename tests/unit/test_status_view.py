"""The status table at the widths people use: 80 columns and 200, never a cut or split cell."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from platform_cli.procman.health import HealthResult
from platform_cli.procman.snapshot import ProcessStatus
from platform_cli.ui.status_view import render_status

OK = HealthResult(True, 2.4, "ok")
FAILING = HealthResult(False, None, "connection refused")
KILLED = {"exit": "SIGKILL", "time": "2026-01-01T10:11:12.000+00:00"}


def _stack() -> list[ProcessStatus]:
    """The repo's Procfile as `platform status` sees it, with a crash and a stopped service."""
    def running(name, pid, port, **kw):
        return ProcessStatus(name, "RUNNING", pid=pid, uptime_s=3725, cpu_percent=12.5, memory_bytes=48_000_000,
                             port=port, health=OK, via_gateway=kw.pop("via", None), **kw)

    return [
        running("redis", 1234567, 5000),
        running("orders", 1234568, 5100, restarts=12, last_exit=KILLED, via="ok"),
        ProcessStatus("delivery", "STOPPED", port=5200, via_gateway="unreachable"),
        ProcessStatus("tts", "BACKOFF", port=5300, restarts=3, health=FAILING, via_gateway="unreachable",
                      last_exit={"exit": "1", "time": "2026-01-01T10:11:13.000+00:00"}),
        running("gateway", 1234570, 5400),
    ]


def _render(rows, width: int) -> list[str]:
    out = io.StringIO()
    render_status(rows, Console(file=out, width=width, color_system=None))
    return out.getvalue().splitlines()


@pytest.mark.parametrize("width", [80, 100, 200])
def test_every_row_is_one_line_within_the_width_with_nothing_cut(width):
    lines = _render(_stack(), width)
    table = lines[:6]
    assert all(len(line) <= width for line in lines)
    assert "…" not in "".join(lines)
    for line, row in zip(table[1:], _stack(), strict=True):
        cells = line.split()
        assert cells[0] == row.name and cells[1] == row.state  # the state whole: no RUNN…
    assert [line.split()[0] for line in table] == ["name", "redis", "orders", "delivery", "tts", "gateway"]
    assert "failing: connection refused" in table[4]  # the health on its row, not split over two


def test_at_200_columns_every_column_is_shown():
    header, orders = _render(_stack(), 200)[:3:2]
    assert header.split() == ["name", "state", "pid", "uptime", "restarts", "cpu", "mem", "port", "health", "gateway", "last", "exit"]
    assert orders.split() == ["orders", "RUNNING", "1234568", "1h02m", "12", "12.5%", "45.8MB", "5100", "ok", "2ms", "ok", "SIGKILL", "10:11:12"]
    assert "not shown" not in "\n".join(_render(_stack(), 200))


def test_at_80_columns_cpu_mem_and_pid_go_first_and_the_table_says_so():
    lines = _render(_stack(), 80)
    header = lines[0].split()
    assert header[:2] == ["name", "state"] and "health" in header and "gateway" in header
    assert not {"cpu", "mem", "pid"} & set(header)
    assert "↺" in header  # restarts, as PM2 heads it
    assert lines[6].startswith("(not shown at 80 columns: cpu, mem, pid") and lines[6].endswith("; --json has them)")


def test_very_narrow_keeps_name_state_and_health():
    lines = _render(_stack(), 46)
    assert lines[0].split() == ["name", "state", "health"]
    assert all(len(line) <= 46 for line in lines)


def test_a_starting_process_whose_probe_passes_is_shown_running():
    lines = _render([ProcessStatus("web", "STARTING", pid=5, health=OK), ProcessStatus("worker", "STARTING", pid=6)], 80)
    assert lines[1].split()[:2] == ["web", "RUNNING"]
    assert lines[2].split()[:2] == ["worker", "STARTING"]  # no probe: only supervisord can tell


def test_no_last_exit_column_when_nothing_crashed():
    rows = [ProcessStatus("web", "RUNNING", pid=5, health=OK)]
    assert "exit" not in _render(rows, 200)[0]


def _watched() -> list[ProcessStatus]:
    """The stack as the daemon's watchdog reports it: probes 4 s old, orders restarted for liveness."""
    rows = _stack()
    for row in rows:
        row.health_age_s = 4.0 if row.health.ok is not None else None
    rows[1].last_exit = {"exit": "SIGTERM", "time": "2026-01-01T10:11:12.400+00:00"}
    rows[1].last_restart = {"reason": "liveness failed 3\u00d7 \u2192 restarted", "time": "2026-01-01T10:11:12.100+00:00"}
    return rows


def test_the_watchdogs_health_age_and_restart_reason_are_shown_when_there_is_room():
    orders = _render(_watched(), 200)[2]
    assert "ok 2ms 4s ago" in orders and "liveness failed 3\u00d7 \u2192 restarted 10:11:12" in orders and "SIGTERM" not in orders


def test_at_80_columns_the_health_age_goes_before_the_health_and_the_restart_reason_stays():
    lines = _render(_watched(), 80)
    assert all(len(line) <= 80 for line in lines) and "…" not in "".join(lines)
    header, orders = lines[0].split(), lines[2]
    assert "health" in header and "ok 2ms" in orders and "ago" not in "\n".join(lines[:6])
    # Short form: what failed, without its time and "→ restarted" (the restart count says so).
    assert "liveness failed 3\u00d7" in orders and "10:11:12" not in orders
