"""Scheduled tasks (procman/schedule.py): the pure step and the listener's scheduler against a
fake supervisord client, a fake clock and a real History."""

from __future__ import annotations

import json

import pytest

from platform_cli.procman import states
from platform_cli.procman.history import History
from platform_cli.procman.schedule import Scheduler, check_schedule, next_run, read_next_runs, step_schedule


def test_next_run_reads_five_fields_and_six_with_seconds():
    assert next_run("* * * * * */2", 1000.5) == 1002.0
    after = next_run("*/5 * * * *", 1_800_000_000.0)
    assert 0 < after - 1_800_000_000.0 <= 300 and after % 60 == 0


@pytest.mark.parametrize("bad", ["every minute", "* * *", "61 * * * *", "* * * * * * *"])
def test_bad_schedules_are_refused(bad):
    with pytest.raises(ValueError, match="not a cron expression"):
        check_schedule(bad)


def test_step_fires_when_due_and_skips_while_the_last_run_is_going():
    first = step_schedule("* * * * * *", None, 100.2, None)
    assert (first.fire, first.skip, first.next_at) == (False, False, 101.0)
    assert step_schedule("* * * * * *", 101.0, 100.9, None).fire is False
    due = step_schedule("* * * * * *", 101.0, 101.01, states.EXITED)
    assert (due.fire, due.next_at) == (True, 102.0)
    busy = step_schedule("* * * * * *", 102.0, 102.0, states.RUNNING)
    assert (busy.fire, busy.skip, busy.next_at) == (False, True, 103.0)


class FakeClient:
    def __init__(self):
        self.started: list[str] = []

    def start(self, name):
        self.started.append(name)


def test_the_scheduler_fires_from_watch_json_records_each_run_and_publishes_the_next(tmp_path):
    run_dir = tmp_path / "supervisor"
    run_dir.mkdir()
    (run_dir / "watch.json").write_text(json.dumps({"job": _entry("* * * * * *"), "web": _entry(None)}))
    now = [100.5]
    client, state = FakeClient(), {"job": states.EXITED}
    history = History(tmp_path)
    scheduler = Scheduler(tmp_path, history, state.get, client_factory=lambda: client, clock=lambda: now[0])
    assert scheduler.tick() == pytest.approx(0.5)
    assert read_next_runs(tmp_path) == {"job": 101.0}
    now[0] = 101.0
    scheduler.tick()
    state["job"] = states.RUNNING
    now[0] = 102.0
    scheduler.tick()  # still running: skipped, not doubled
    assert client.started == ["job"]
    assert [e["to"] for e in history.events(["job"])] == ["SCHEDULED", "SKIPPED"]
    assert read_next_runs(tmp_path) == {"job": 103.0}


def test_a_scheduled_start_is_a_run_not_a_restart(tmp_path):
    history = History(tmp_path)
    (tmp_path / "supervisor").mkdir(exist_ok=True)
    history.record({"ts": 1, "name": "job", "from": "STOPPED", "to": "STARTING"})
    history.record({"ts": 2, "name": "job", "from": "RUNNING", "to": "EXITED", "exit": "0"})
    history.record({"ts": 3, "name": "job", "from": "-", "to": "SCHEDULED", "detail": "schedule * * * * * *"})
    history.record({"ts": 3.1, "name": "job", "from": "EXITED", "to": "STARTING"})
    entry = history.summary()["job"]
    assert (entry["restarts"], entry["runs"]) == (0, 1)


def _entry(schedule):
    return {"probe": ["none", "/health"], "port": None, "interval": 5, "timeout": 2, "failure_threshold": 1, "liveness": False,
            "liveness_probe": None, "liveness_threshold": 3, "max_memory": None, "start_grace": 20, "stop_timeout": 10,
            "schedule": schedule}
