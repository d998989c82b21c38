import io
import json

from rich.console import Console

from platform_cli.procman.health import HealthResult, parse_probe
from platform_cli.procman.snapshot import ProcessStatus
from platform_cli.ui.format import duration, size
from platform_cli.ui.status_table import status_json
from platform_cli.ui.status_view import render_status

OK = HealthResult(True, 1.5, "ok")
FAILING = HealthResult(False, None, "connection refused")


def test_healthy_means_running_with_a_passing_or_no_probe():
    assert ProcessStatus("a", "RUNNING", health=OK).healthy
    assert ProcessStatus("a", "RUNNING").healthy  # no probe
    assert not ProcessStatus("a", "RUNNING", health=FAILING).healthy
    assert ProcessStatus("a", "STARTING", health=OK).healthy  # inside startsecs, probe passes
    assert not ProcessStatus("a", "STARTING").healthy
    assert not ProcessStatus("a", "FATAL").healthy and not ProcessStatus("a", "ABSENT").healthy


def test_status_json_has_the_documented_fields():
    row = ProcessStatus("web", "RUNNING", pid=12, uptime_s=61.26, restarts=1, port=5000, health=OK, health_age_s=2.04,
                        last_exit={"exit": "SIGKILL", "time": "2026-01-01T10:11:12.000+00:00"})
    [data] = json.loads(status_json([row]))
    assert data == {
        "name": "web", "state": "RUNNING", "pid": 12, "uptime_s": 61.3, "restarts": 1, "cpu_percent": None,
        "memory_bytes": None, "port": 5000, "health": {"status": "ok", "latency_ms": 1.5, "detail": "ok", "age_s": 2.0},
        "last_exit": {"exit": "SIGKILL", "time": "2026-01-01T10:11:12.000+00:00"}, "last_restart": None, "log_tail": [],
        "via_gateway": None, "completed": False, "next_run": None,
    }


def test_the_table_names_the_watchdogs_restart_instead_of_the_signal_it_sent():
    out = io.StringIO()
    row = ProcessStatus("web", "RUNNING", pid=13, uptime_s=3, restarts=1, port=5000, health=OK,
                        last_exit={"exit": "SIGTERM", "time": "2026-01-01T10:11:12.400+00:00"},
                        last_restart={"reason": "liveness failed 3\u00d7 \u2192 restarted", "time": "2026-01-01T10:11:12.100+00:00"})
    render_status([row], Console(file=out, width=200))
    assert "liveness failed 3\u00d7 \u2192 restarted 10:11:12" in out.getvalue() and "SIGTERM" not in out.getvalue()


def test_the_table_shows_a_crash_and_the_log_tail_of_a_fatal_process():
    out = io.StringIO()
    rows = [
        ProcessStatus("web", "RUNNING", pid=12, restarts=1, health=OK, last_exit={"exit": "SIGKILL", "time": "2026-01-01T10:11:12"}),
        ProcessStatus("bad", "FATAL", last_exit={"exit": "3", "time": "2026-01-01T10:11:13"}, log_tail=["[stderr] boom"]),
    ]
    render_status(rows, Console(file=out, width=200, color_system=None))
    text = out.getvalue()
    assert "SIGKILL 10:11:12" in text and "exit 3 10:11:13" in text
    assert "last lines of bad:" in text and "[stderr] boom" in text
    assert "\x1b[" not in text  # no colour codes without a terminal


def test_formatters():
    assert [duration(s) for s in (None, 5, 65, 3700, 90000)] == ["-", "5s", "1m05s", "1h01m", "1d01h"]
    assert [size(n) for n in (None, 512, 2048, 5 * 1024 * 1024)] == ["-", "512B", "2.0KB", "5.0MB"]


def test_probe_descriptions():
    assert parse_probe("http").describe() == "GET /health"
    assert parse_probe("http:/ready").describe() == "GET /ready"
    assert parse_probe("redis").describe() == "Redis PING"
    assert parse_probe("none").describe() == "running"


def test_events_show_why_the_watchdog_restarted_a_process():
    from platform_cli.ui.events_view import render_events

    out = io.StringIO()
    render_events([{"time": "2026-01-01T10:11:12.100+00:00", "name": "web", "from": "RUNNING", "to": "RESTARTING", "pid": 12,
                    "reason": "memory 320 MB > 300 MB \u2192 restarted"}], Console(file=out, width=200))
    assert "RESTARTING" in out.getvalue() and "memory 320 MB > 300 MB \u2192 restarted" in out.getvalue()


def test_a_process_still_healthy_after_one_failed_probe_shows_ok_without_a_latency():
    out = io.StringIO()
    row = ProcessStatus("web", "RUNNING", pid=12, port=5000, health=HealthResult(True, None, "timed out"), health_age_s=3.2)
    render_status([row], Console(file=out, width=200))
    assert "ok 3s ago" in out.getvalue()


def test_a_disabled_or_scheduled_process_at_rest_is_no_fault_but_a_failed_run_is():
    assert ProcessStatus("debugger", "STOPPED", may_rest=True).healthy
    assert ProcessStatus("tick", "ABSENT", may_rest=True).healthy
    assert not ProcessStatus("tick", "EXITED", may_rest=True).healthy  # not completed: its run failed
    assert ProcessStatus("tick", "EXITED", may_rest=True, completed=True).healthy
    assert not ProcessStatus("web", "STOPPED").healthy
