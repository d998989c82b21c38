"""Steady real HTTP traffic at a running platform, and what it is owed afterwards.

`Traffic` sends order creates and speech requests, each from a thread of its own, and keeps
what was acknowledged and, for every other answer, why. The checks read the services' own
store files (each table file is replaced whole, so reading them under load is safe).
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
from collections import Counter
from pathlib import Path

from services.common.tablefiles import TableFilesStorage
from services.tts.mp3 import duration, frames


class Traffic:
    def __init__(self, port: int, user_id: str, token: str | None = None, reads: bool = False):
        """reads: also read back acknowledged orders (GET one by id), from a third thread."""
        self.port, self.user, self.token = port, user_id, token
        self.orders: list[str] = []  # ids acknowledged with 201
        self.speech: dict[str, dict] = {}  # id -> a successful answer, with the text it speaks
        self.sent: Counter[str] = Counter()
        self.succeeded: Counter[str] = Counter()
        self.failures: Counter[str] = Counter()
        self.stop = threading.Event()
        loops = (self._orders, self._speech, *((self._reads,) if reads else ()))
        self.threads = [threading.Thread(target=loop, daemon=True) for loop in loops]
        for thread in self.threads:
            thread.start()

    def finish(self) -> "Traffic":
        self.stop.set()
        for thread in self.threads:
            thread.join(30)
        return self

    def summary(self) -> list[str]:
        sent = [f"{kind}: {self.sent[kind]} sent, {self.succeeded[kind]} succeeded" for kind in self.sent]
        return sent + [f"{count} × {why}" for why, count in self.failures.most_common()]

    # -- the two loops -----------------------------------------------------------------------------

    def _orders(self) -> None:
        body = {"coffee_price": 3, "coffee_qty": 1}
        self._loop("orders", lambda i: ("POST", f"/order-ms/{self.user}/orders", {**body, "coffee_name": f"cup {i}"}),
                   lambda sent, answer: self.orders.append(answer["order_id"]), pace=0.02)

    def _speech(self) -> None:
        # Forty texts over and over: the first rounds are synthesised, later ones cache hits.
        self._loop("speech", lambda i: ("POST", "/tts", {"text": f"order number {i % 40} is ready", "engine": "espeak"}),
                   lambda sent, answer: self.speech.setdefault(answer["id"], {**answer, "text": sent["text"]}), pace=0.1)

    def _reads(self) -> None:
        def make(i):
            return "GET", f"/order-ms/{self.user}/orders/{self.orders[-1 - (i % min(len(self.orders), 50))]}", None

        def check(sent, answer):
            if answer.get("user_id") != self.user:
                self.failures[f"reads: a wrong answer {answer!r:.100}"] += 1

        self.stop.wait(0.5)  # something to read first
        self._loop("reads", make, check, pace=0.02, ready=lambda: bool(self.orders))

    def _loop(self, kind: str, make, on_success, pace: float, ready=lambda: True) -> None:
        i = 0
        while not self.stop.is_set():
            if not ready():
                self.stop.wait(pace)
                continue
            i += 1
            self.sent[kind] += 1
            method, path, sent = make(i)
            try:
                status, answer = self.call(method, path, sent)
            except (OSError, http.client.HTTPException, ValueError) as exc:
                self.failures[f"{kind}: {why(exc)}"] += 1
            else:
                if status in (200, 201):
                    self.succeeded[kind] += 1
                    on_success(sent, answer)
                else:
                    error = answer.get("error", {})
                    self.failures[f"{kind}: HTTP {status} {error.get('code')}: {error.get('message')}"] += 1
            self.stop.wait(pace)  # a steady rate, not a flood: the services share two cores with the test

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict | bytes]:
        return call(self.port, method, path, body, self.token)


def call(port: int, method: str, path: str, body: dict | None = None, token: str | None = None) -> tuple[int, dict | bytes]:
    """One real HTTP request: (status, the JSON answer, or the bytes of an MP3)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    try:
        conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = conn.getresponse()
        raw = response.read()
        return response.status, raw if response.getheader("Content-Type") == "audio/mpeg" else json.loads(raw)
    finally:
        conn.close()


def why(exc: Exception) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused (the process in front was down)"
    if isinstance(exc, (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected, http.client.IncompleteRead)):
        return "connection closed mid-request (the process in front was killed)"
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return "no answer within 15 s"
    return f"{type(exc).__name__}: {exc}"


# -- what the traffic is owed ----------------------------------------------------------------------

def stored(data: Path, service: str, key: str = "order_id") -> list[str]:
    """The `key` of every document in a service's store, duplicates kept: reading raises on any
    half-written table file."""
    tables = TableFilesStorage(data / service).read()
    return [doc[key] for table in tables.values() for doc in table.values()]


def assert_orders_owed(data: Path, acked: list[str], unacked_at_most: int) -> list[str]:
    """Each acknowledged order stored exactly once; besides them only orders whose 201 was lost
    to a kill mid-response. Returns what is stored."""
    assert acked, "the traffic got no order through"
    orders = stored(data, "orders")
    assert len(orders) == len(set(orders)), "an order stored twice"
    missing = set(acked) - set(orders)
    assert not missing, f"{len(missing)} acknowledged orders lost"
    assert len(orders) - len(acked) <= unacked_at_most, f"{len(orders) - len(acked)} stored without a 201: more than the kills can explain"
    return orders


def delivered_exactly(data: Path, orders: list[str]) -> bool:
    """Delivery holds every stored order, each once, and nothing else."""
    seen = stored(data, "delivery")
    assert len(seen) == len(set(seen)), "an order reached delivery twice"
    return sorted(seen) == sorted(orders)


def assert_speech_playable(traffic: Traffic) -> int:
    """Every successful speech answer's URL serves a whole MP3 of the duration it announced."""
    for answer in traffic.speech.values():
        status, audio = traffic.call("GET", answer["url"])
        assert status == 200, f"{answer['url']}: HTTP {status} {audio!r:.200}"
        assert len(list(frames(audio))) > 10, f"{answer['url']} is not a whole MP3"
        assert abs(duration(audio) - answer["duration_s"]) < 0.1, answer
    return len(traffic.speech)
