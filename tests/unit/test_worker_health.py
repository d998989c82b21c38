"""WorkerHealth, stepped with an injected clock: what /health says about a failing stream worker."""

from __future__ import annotations

import pytest
import redis

from services.common.streams import Publisher, WorkerHealth


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_a_failure_is_listed_at_once_and_fails_the_check_after_the_threshold():
    clock = Clock()
    health = WorkerHealth(failing_after_s=10, clock=clock, wall_clock=lambda: 0.0)
    assert health.check() == {"ok": True}
    assert health.failed(ConnectionError("refused")) is True
    clock.now += 4
    assert health.failed(ConnectionError("refused again")) is False, "the same outage: not a new log line"
    assert health.check() == {"ok": True, "failing": {"since": "1970-01-01T00:00:00Z", "for_s": 4.0,
                                                      "error": "ConnectionError: refused again"}}
    clock.now += 6
    assert health.check()["ok"] is False
    assert health.recovered() == 10.0
    assert health.check() == {"ok": True}


def test_the_publisher_lets_a_bug_end_it_instead_of_retrying_for_ever():
    class BrokenOutbox:
        def pending_events(self):
            raise KeyError("outbox entry without an id")

        def mark_published(self, event_id):
            raise AssertionError("never reached")

    never_used = redis.Redis(host="127.0.0.1", port=1)
    import threading

    with pytest.raises(KeyError):
        Publisher(never_used, "events:test", BrokenOutbox(), log=lambda line: None).run(threading.Event())
