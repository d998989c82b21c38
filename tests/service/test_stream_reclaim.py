"""Pending entries are not lost: a consumer resumes its own unacked entries when it starts again,
and claims those another consumer of its group left pending, once idle for claim_idle_ms.
A real redis-server; the consumers are the real Consumer in threads."""

from __future__ import annotations

import json

from services.common.streams import Consumer, encode
from tests.helpers import wait_until

STREAM, GROUP = "events:test", "tester"


def _event(n: int) -> dict:
    return {"type": "thing.happened", "id": f"evt-{n}", "ts": "2026-01-01T00:00:00Z", "data": {"n": n}}


def _left_pending_by(client, consumer_name: str, count: int) -> list[str]:
    """Add `count` entries and read them as `consumer_name`, which then 'dies' without acking."""
    client.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
    for n in range(count):
        client.xadd(STREAM, encode(_event(n)))
    read = client.xreadgroup(GROUP, consumer_name, {STREAM: ">"}, count=100)
    return [entry_id for entry_id, _ in read[0][1]]


def _start(client, workers, handled, **kwargs) -> Consumer:
    consumer = Consumer(client, STREAM, GROUP, lambda event: handled.append(event["data"]["n"]), log=lambda line: None, **kwargs)
    workers([consumer.run])
    return consumer


def _pending(client) -> int:
    return client.xpending(STREAM, GROUP)["pending"]


def test_a_restarted_consumer_handles_what_it_read_but_did_not_ack(redis_client, workers):
    ids = _left_pending_by(redis_client, GROUP, 3)  # its own name: the consumer before a restart
    assert len(ids) == 3 and _pending(redis_client) == 3
    handled = []
    _start(redis_client, workers, handled, claim_idle_ms=60_000)  # no claiming: its own list only
    wait_until(lambda: sorted(handled) == [0, 1, 2], what="its own pending entries handled")
    wait_until(lambda: _pending(redis_client) == 0, what="all acked")


def test_entries_a_dead_consumer_left_pending_are_claimed_once_idle(redis_client, workers):
    _left_pending_by(redis_client, "someone-who-died", 2)
    handled = []
    _start(redis_client, workers, handled, claim_idle_ms=300)
    wait_until(lambda: sorted(handled) == [0, 1], what="the dead consumer's entries claimed and handled")
    wait_until(lambda: _pending(redis_client) == 0, what="claimed entries acked")
    assert redis_client.xlen(f"{STREAM}:dead") == 0


def test_entries_younger_than_the_idle_time_are_left_to_their_consumer(redis_client, workers):
    _left_pending_by(redis_client, "busy-elsewhere", 1)
    handled = []
    _start(redis_client, workers, handled, claim_idle_ms=60_000)
    redis_client.xadd(STREAM, encode(_event(7)))  # a new entry: proof the consumer is running
    wait_until(lambda: handled == [7], what="the new entry handled")

    def pending_detail():  # the new entry leaves the list once acked, just after it was handled
        return [(d["consumer"], d["times_delivered"]) for d in redis_client.xpending_range(STREAM, GROUP, "-", "+", 10)]

    wait_until(lambda: pending_detail() == [("busy-elsewhere", 1)], what="only the young entry pending, untouched")
    assert handled == [7]


def test_a_claimed_entry_deleted_from_the_stream_is_acked_not_handled(redis_client, workers):
    ids = _left_pending_by(redis_client, "someone-who-died", 2)
    redis_client.xdel(STREAM, ids[0])
    handled = []
    _start(redis_client, workers, handled, claim_idle_ms=300)
    wait_until(lambda: handled == [1], what="the remaining entry handled")
    wait_until(lambda: _pending(redis_client) == 0, what="the deleted one acked too")
    assert json.loads(redis_client.xrange(STREAM)[0][1]["data"]) == {"n": 1}
