"""Crash loops, readiness timeouts and the event history."""

from __future__ import annotations

import sys
from datetime import datetime

from tests.e2e.conftest import WEB

CRASHER = f"{sys.executable} -c \"import sys; print('boom: no config', file=sys.stderr); sys.exit(3)\""


def test_crash_looping_process_backs_off_exponentially_and_ends_fatal(project):
    project.write({"crasher": CRASHER}, {"crasher": {"retries": 3, "start_timeout": 60}})
    result = project.run("up")
    assert result.returncode == 5
    assert result.stderr.startswith("error: crasher kept exiting and is FATAL")
    assert "boom: no config" in result.stderr  # its last log lines, shown right away
    row = project.status()["crasher"]
    assert row["state"] == "FATAL"
    assert row["last_exit"]["exit"] == "3"
    assert any("boom: no config" in line for line in row["log_tail"])
    events = project.wait_events("crasher", lambda found: found and found[-1]["to"] == "FATAL")
    starts = [datetime.fromisoformat(e["time"]) for e in events if e["to"] == "STARTING"]
    assert len(starts) == 4  # the first try and 3 retries, then FATAL
    gaps = [(b - a).total_seconds() for a, b in zip(starts, starts[1:], strict=False)]
    # Waits of 1, 2 and 4 s (each plus the quick crash): supervisor's own backoff would be 1, 2, 3.
    assert gaps[0] >= 0.9 and gaps[1] >= 1.9 and gaps[2] >= 3.9, gaps
    human = project.run("status")
    assert human.returncode == 3 and "FATAL" in human.stdout and "boom: no config" in human.stdout


def test_not_ready_in_time_names_the_process_and_prints_its_log(project):
    project.write({"sleepy": f"{WEB} # $PORT"}, {"sleepy": {"start_timeout": 1}}, env="READY_AFTER=600\n")
    result = project.run("up")
    assert result.returncode == 5
    first = result.stderr.splitlines()[0]
    assert first.startswith("error: sleepy was not ready within 1s (GET /health: HTTP 503)")
    assert "last 20 log lines of sleepy:" in result.stderr
    assert '"GET /health HTTP/1.1" 503' in result.stderr
    assert sum(line.startswith("error:") for line in result.stderr.splitlines()) == 1


def test_events_show_starts_and_exits_with_times(project):
    project.write({"web": f"{WEB} # $PORT"})
    project.ok("up")
    project.wait_running("web")
    project.ok("stop", "web")
    events = project.wait_events("web", lambda found: found and found[-1]["to"] == "STOPPED")
    assert [e["to"] for e in events] == ["STARTING", "RUNNING", "STOPPING", "STOPPED"]
    assert events[-1]["exit"] == "SIGTERM" and events[-1]["pid"] == events[1]["pid"]
    stamps = [e["ts"] for e in events]
    assert stamps == sorted(stamps) and stamps[1] - stamps[0] >= 1.0  # RUNNING after startsecs=1
    table = project.ok("events").stdout
    assert "STOPPED" in table and "web" in table
