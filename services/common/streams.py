"""Events over Redis Streams: an outbox publisher and a consumer-group reader.

Entries are {type: "order.created", id, ts, data (JSON)}. `id` is the event's own stable id,
chosen when the change was stored; a consumer that sees an id twice ignores the second.
Consumer groups are named after the consuming service and created with MKSTREAM; a consumer
handles an entry, then XACKs it; entries left pending by a consumer that died are claimed after
CLAIM_IDLE_MS. An entry that cannot be handled is copied to `<stream>:dead` with the reason and
acknowledged, so one bad entry never stops the rest; Redis or disk trouble is retried instead,
and only that: anything else is a bug, which ends the worker (logged) and turns /health to 503.
A worker that keeps failing says so in /health: listed under `failing` (since when, for how
long, the last error) at once, and a 503 once it has failed for FAILING_AFTER_S, so `platform
status` shows a service whose events have stopped flowing instead of a green row.
On SIGTERM (stop set) the entry in hand is finished before the loop ends.
"""

from __future__ import annotations

import json
import os
import threading
import time
from typing import Callable, Protocol
from urllib.parse import urlsplit

import redis

from services.common.atomicfile import is_disk_trouble

CLAIM_IDLE_MS = 15_000
BLOCK_MS = 1_000
RETRY_S = 0.5
FAILING_AFTER_S = 10.0  # a Redis restart or a blip stays under this; an outage does not


class Outbox(Protocol):
    """What a service's store offers the publisher: events stored with the change they describe."""

    def pending_events(self) -> list[dict]: ...
    def mark_published(self, event_id: str) -> None: ...


class WorkerHealth:
    """Whether a worker is failing, since when and why: what /health reports for it."""

    def __init__(self, failing_after_s: float = FAILING_AFTER_S, clock=time.monotonic, wall_clock=time.time):
        self.failing_after_s, self.clock, self.wall_clock = failing_after_s, clock, wall_clock
        self._since: tuple[float, float] | None = None  # (clock, wall clock) of the first failure
        self._error = ""

    @property
    def failing(self) -> bool:
        return self._since is not None

    def failed(self, exc: BaseException) -> bool:
        """Record a failure; True if it starts an outage (the one to log)."""
        self._error = f"{type(exc).__name__}: {exc}"[:300]
        if self._since is None:
            self._since = (self.clock(), self.wall_clock())
            return True
        return False

    def recovered(self) -> float:
        """Clear the failure; returns how long it lasted (s)."""
        lasted = self.clock() - self._since[0] if self._since else 0.0
        self._since = None
        return lasted

    def check(self) -> dict:
        """A /health check: ok until the worker has failed for failing_after_s."""
        if self._since is None:
            return {"ok": True}
        failing_for = self.clock() - self._since[0]
        since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self._since[1]))
        return {"ok": failing_for < self.failing_after_s,
                "failing": {"since": since, "for_s": round(failing_for, 1), "error": self._error}}


class Publisher:
    def __init__(self, client: redis.Redis, stream: str, outbox: Outbox, log=print, health: WorkerHealth | None = None):
        self.client, self.stream, self.outbox, self.log = client, stream, outbox, log
        self.health = health or WorkerHealth()
        self.wakeup = threading.Event()  # set by the store when it has stored an event
        self._sent: set[str] = set()  # in the stream, not yet cleared from the outbox (the disk refused)

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self.wakeup.clear()
            try:
                for event in self.outbox.pending_events():
                    if event["id"] not in self._sent:
                        self.client.xadd(self.stream, encode(event))
                        self._sent.add(event["id"])
                    self.outbox.mark_published(event["id"])
                    self._sent.discard(event["id"])
            except (redis.RedisError, OSError) as exc:  # Redis down, or the disk: keep the events, try again
                if self.health.failed(exc):  # one line per outage, not one per retry
                    self.log(f"publisher: cannot publish to {self.stream} ({exc}); retrying")
                stop.wait(RETRY_S)
                continue
            if self.health.failing:
                self.log(f"publisher: publishing to {self.stream} again after {self.health.recovered():.1f} s")
            self.wakeup.wait(1.0)


class Consumer:
    def __init__(self, client: redis.Redis, stream: str, group: str, handle: Callable[[dict], None], log=print,
                 health: WorkerHealth | None = None, claim_idle_ms: int = CLAIM_IDLE_MS):
        self.client, self.stream, self.group, self.handle, self.log = client, stream, group, handle, log
        self.health = health or WorkerHealth()
        self.claim_idle_ms = claim_idle_ms
        self.name = group  # one consumer per service: a restarted one resumes its own pending entries

    def run(self, stop: threading.Event) -> None:
        ready = False
        last_claim = 0.0
        while not stop.is_set():
            try:
                if not ready:
                    self._ensure_group()
                    self._drain("0", stop)  # what this consumer read but did not ack before it died
                    ready = True
                    if self.health.failing:
                        self.log(f"consumer {self.group}: reading {self.stream} again after {self.health.recovered():.1f} s")
                if time.monotonic() - last_claim > self.claim_idle_ms / 1000:
                    self._claim_stale(stop)
                    last_claim = time.monotonic()
                self._drain(">", stop, block=BLOCK_MS)
            except (redis.RedisError, OSError) as exc:
                # Redis down, or our own disk full or read-only: the entry stays pending, unacked,
                # and is handled again from the start of this consumer's pending list.
                if self.health.failed(exc):  # one line per outage, not one per retry
                    self.log(f"consumer {self.group}: cannot go on ({exc}); retrying")
                ready = False
                stop.wait(RETRY_S)

    def _ensure_group(self) -> None:
        try:
            self.client.xgroup_create(self.stream, self.group, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    def _drain(self, start: str, stop: threading.Event, block: int | None = None) -> None:
        while not stop.is_set():
            reply = self.client.xreadgroup(self.group, self.name, {self.stream: start}, count=100, block=block)
            entries = reply[0][1] if reply else []
            for entry_id, fields in entries:
                if fields:
                    self._handle(entry_id, fields)
                else:  # deleted from the stream while pending: nothing to handle, only to clear
                    self.client.xack(self.stream, self.group, entry_id)
            if start == ">" or not entries:
                return

    def _claim_stale(self, stop: threading.Event) -> None:
        cursor = "0-0"
        while not stop.is_set():
            cursor, entries, *_ = self.client.xautoclaim(self.stream, self.group, self.name, self.claim_idle_ms, cursor, count=100)
            lost_ids = False
            for entry_id, fields in entries:
                if fields:
                    self._handle(entry_id, fields)
                elif entry_id:
                    self.client.xack(self.stream, self.group, entry_id)
                else:  # Redis < 7 claims a deleted entry but returns it as (None, None)
                    lost_ids = True
            if lost_ids:
                self._drain("0", stop)  # now ours: our own pending list gives their ids, to ack
            if cursor == "0-0":
                return

    def _handle(self, entry_id: str, fields: dict) -> None:
        try:
            self.handle(decode(fields))
        except redis.RedisError:
            raise
        except Exception as exc:
            if isinstance(exc, OSError) and is_disk_trouble(exc):
                raise  # trouble of the moment, not of the entry: retried, never set aside
            # Not this consumer's to retry forever: set it aside, say why.
            self.log(f"consumer {self.group}: entry {entry_id} of {self.stream} set aside: {exc!r}")
            self.client.xadd(f"{self.stream}:dead", {**fields, "entry": entry_id, "reason": repr(exc)[:500]})
        self.client.xack(self.stream, self.group, entry_id)


def encode(event: dict) -> dict:
    return {"type": event["type"], "id": event["id"], "ts": event["ts"], "data": json.dumps(event["data"])}


def decode(fields: dict) -> dict:
    """An entry read with decode_responses=True back into an event."""
    return {"type": fields["type"], "id": fields["id"], "ts": fields["ts"], "data": json.loads(fields["data"])}


def connect(url: str, password: str | None = None) -> redis.Redis:
    """A client for url. password: REDIS_PASSWORD, used only when the URL carries none. Under
    platform the URL has it (redis://:pw@127.0.0.1:port); an exported container gets the URL as
    plain config and the password apart, as a secret (compose secret, Kubernetes Secret)."""
    extra = {"password": password} if password and not urlsplit(url).password else {}
    return redis.Redis.from_url(url, decode_responses=True, socket_timeout=5, socket_connect_timeout=2, **extra)


def make_workers(app, store, publishes: str, consumes: str, group: str, handle: Callable[[object, dict], None]):
    """A service's two workers: the publisher of its outbox and the consumer of another's stream."""
    client = connect(app.config["REDIS_URL"], app.config.get("REDIS_PASSWORD"))
    failing_after_s = float(app.config.get("STREAM_FAILING_AFTER_S", os.environ.get("STREAM_FAILING_AFTER_S", FAILING_AFTER_S)))
    publisher = Publisher(client, publishes, store, log=app.logger.warning, health=WorkerHealth(failing_after_s))
    store.on_event = publisher.wakeup.set
    consumer = Consumer(client, consumes, group, lambda event: handle(store, event), log=app.logger.warning,
                        health=WorkerHealth(failing_after_s))
    checks = app.extensions.setdefault("health_checks", {})
    checks["publisher"], checks["consumer"] = publisher.health.check, consumer.health.check
    return [publisher.run, consumer.run]
