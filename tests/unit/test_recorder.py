"""procman/recorder.py against supervisor's own event and process classes (no daemon): what its
callback queues, what its thread writes, and that a failure there is written down and survived."""

from __future__ import annotations

import threading

import pytest
from supervisor import events
from supervisor.states import ProcessStates
from supervisor.tests.base import DummyOptions, DummyPConfig, DummyProcess

from platform_cli.procman import complaints, recorder
from platform_cli.procman.history import History


class Spawned:
    """Like daemon_entry's SpawnedPid: the pid is known once `settled` is set."""

    def __init__(self):
        self.pid, self.settled = None, threading.Event()

    def __str__(self):
        return str(self.pid) if self.pid else "-"


class Starting(events.ProcessStateStartingEvent):
    def get_extra_values(self):
        return [*super().get_extra_values(), ("at", "100.5"), ("pid", self.process.spawned)]


@pytest.fixture
def running(tmp_path):
    (tmp_path / "supervisor").mkdir()
    (tmp_path / "logs").mkdir()
    rec = recorder.Recorder(tmp_path)
    rec.start()
    yield rec
    complaints.log_to(None)


def _process(name="web"):
    proc = DummyProcess(DummyPConfig(DummyOptions(), name, f"/bin/{name}"))
    proc.spawned = Spawned()
    return proc


def test_an_event_is_recorded_with_the_pid_known_only_after_the_fork(running, tmp_path):
    proc = _process()
    running.take(Starting(proc, ProcessStates.STOPPED))  # made before the fork: no pid yet
    proc.spawned.pid = 4321  # spawn() returned
    proc.spawned.settled.set()
    assert running.drain(5)
    [event] = History(tmp_path).events()
    assert (event["name"], event["from"], event["to"], event["pid"], event["ts"]) == ("web", "STOPPED", "STARTING", 4321, 100.5)
    assert History(tmp_path).summary()["web"]["started_at"] == 100.5


def test_a_failing_record_is_logged_and_the_next_event_is_recorded(running, tmp_path, monkeypatch):
    original, calls = History.record, []

    def record(self, event):
        calls.append(event)
        if len(calls) == 1:
            raise RuntimeError("boom")
        original(self, event)

    monkeypatch.setattr(History, "record", record)
    for name in ("first", "second"):
        proc = _process(name)
        proc.spawned.settled.set()
        running.take(Starting(proc, ProcessStates.STOPPED))
    assert running.drain(5)
    assert [e["name"] for e in History(tmp_path).events()] == ["second"]
    assert "cannot record event: RuntimeError: boom" in (tmp_path / "logs" / "platform-events.err.log").read_text()


def test_the_callback_never_raises_into_supervisord(running):
    running.take(object())  # not a process state event: ignored
    assert running.drain(5)
