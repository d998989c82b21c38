"""Disk trouble under the orders and delivery services: a full disk, then a read-only one.

Each service runs as a real process in a mount namespace of its own (`unshare`), its data
directory a small tmpfs: a real filesystem that really fills (ENOSPC) and really turns read-only
(EROFS), with no root on the host and nothing else on the machine touched. The test reaches that
filesystem through /proc/<pid>/root, and remounts it with `nsenter`.
"""

from __future__ import annotations

import errno
import http.client
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis

from platform_cli.clients.services import ServiceClient
from platform_cli.errors import ServiceError
from services.common.streams import RETRY_S, encode
from services.common.tablefiles import TableFilesStorage
from tests.helpers import die_with_parent, free_port, port_is_listening, wait_until

REPO = Path(__file__).resolve().parents[2]
UNSHARE = ["unshare", "--user", "--map-root-user", "--mount"]


def _namespaces_work() -> bool:
    """What the tests do: a tmpfs mounted in a namespace of our own, remounted from outside."""
    probe = 'd=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs "$d" && mount -o remount,ro "$d" && umount "$d" && rmdir "$d"'
    try:
        return (subprocess.run([*UNSHARE, "sh", "-c", probe], capture_output=True, timeout=10).returncode == 0
                and subprocess.run(["nsenter", "--help"], capture_output=True, timeout=10).returncode == 0)
    except (OSError, subprocess.TimeoutExpired):
        return False


pytestmark = pytest.mark.skipif(not _namespaces_work(), reason="needs user and mount namespaces (unshare, nsenter)")


class Cramped:
    """`python -m services.<name>` on a free port, its PLATFORM_DATA_DIR a tmpfs of `size`."""

    def __init__(self, name: str, data_dir: Path, redis_url: str, started: list, size: str = "1m"):
        data_dir.mkdir()
        self.data_dir, self.port = data_dir, free_port()
        script = f'mount -t tmpfs -o size={size},mode=0700 tmpfs "$PLATFORM_DATA_DIR" && exec "$0" -m services.{name}'
        env = {**os.environ, "PORT": str(self.port), "REDIS_URL": redis_url, "PLATFORM_DATA_DIR": str(data_dir)}
        self.proc = subprocess.Popen([*UNSHARE, "sh", "-c", script, sys.executable], cwd=REPO, env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=die_with_parent)
        self.url = f"http://127.0.0.1:{self.port}"
        # The service's view of its own data: the tmpfs, which the host's path does not show.
        self.seen = Path(f"/proc/{self.proc.pid}/root") / data_dir.relative_to("/")
        started.append(self)  # stopped by the fixture even if it never comes up
        wait_until(lambda: port_is_listening(self.port), 20, what=f"{name} listening")

    def fill(self) -> None:
        """Write a ballast file until the filesystem has no byte left."""
        with open(self.seen / "ballast", "wb", buffering=0) as ballast:
            try:
                while True:
                    ballast.write(b"\0" * 65536)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC, exc

    def free(self) -> None:
        (self.seen / "ballast").unlink()

    def remount(self, mode: str) -> None:
        subprocess.run(["nsenter", "-t", str(self.proc.pid), "--user", "--mount", "--preserve-credentials",
                        "mount", "-o", f"remount,{mode}", str(self.data_dir)], check=True, timeout=10)

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict, dict]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        conn.request(method, path, body=json.dumps(body) if body is not None else None,
                     headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        return response.status, json.loads(response.read()), dict(response.headers)

    def stop(self) -> None:
        self.proc.terminate()  # the namespace and its tmpfs end with the process
        self.proc.wait(20)


@pytest.fixture
def cramped(tmp_path, redis_client, redis_url):
    started: list[Cramped] = []

    def start(name: str) -> Cramped:
        return Cramped(name, tmp_path / f"{name}-data", redis_url, started)

    yield start
    for service in started:
        service.stop()


def order(i: int) -> dict:
    return {"coffee_name": f"flat white {i}", "coffee_price": 3, "coffee_qty": 1}


def assert_store_whole(service: Cramped, name: str) -> list[dict]:
    """Every table file opens (a half-written one raises), and no temporary copy holds space."""
    tables = TableFilesStorage(service.seen / name).read()
    # One may be there for a moment, a write in progress (the publisher's); a failed one's stays.
    wait_until(lambda: not list((service.seen / name).glob("*.tmp")), 5, what="no temporary file left by a failed write")
    return [doc for table in tables.values() for doc in table.values()]


def published_order_ids(redis_client) -> set[str]:
    return {json.loads(fields["data"])["order_id"] for _, fields in redis_client.xrange("events:orders")}


def test_a_full_then_read_only_disk_refuses_orders_clearly_corrupts_nothing_and_resumes(cramped, redis_client):
    orders = cramped("orders")
    acked = []
    for i in range(20):
        status, body, _ = orders.request("POST", "/order-ms/alice/orders", order(i))
        assert status == 201, body
        acked.append(body["order_id"])

    orders.fill()
    for i in range(5):
        status, body, headers = orders.request("POST", "/order-ms/alice/orders", order(100 + i))
        assert status == 507, body
        assert body["error"]["code"] == "insufficient_storage"
        assert "no space left on device" in body["error"]["message"] and str(orders.data_dir) in body["error"]["message"]
        assert headers["Retry-After"]
    status, body, _ = orders.request("GET", "/order-ms/alice/orders?limit=100")
    assert status == 200 and sorted(o["order_id"] for o in body["orders"]) == sorted(acked), "reads go on, unchanged"
    with pytest.raises(ServiceError, match=r"^orders: cannot store: no space left on device .*free some space"):
        ServiceClient("orders", orders.url).post("order-ms", "alice", "orders", body=order(0))
    assert sorted(d["order_id"] for d in assert_store_whole(orders, "orders")) == sorted(acked)

    orders.free()
    status, body, _ = orders.request("POST", "/order-ms/alice/orders", order(200))
    assert status == 201, "space is back: orders are taken again"
    acked.append(body["order_id"])

    orders.remount("ro")
    status, body, _ = orders.request("POST", "/order-ms/alice/orders", order(300))
    assert status == 503 and body["error"]["code"] == "storage_unavailable"
    assert "read-only file system" in body["error"]["message"]
    orders.remount("rw")
    status, body, _ = orders.request("POST", "/order-ms/alice/orders", order(400))
    assert status == 201
    acked.append(body["order_id"])

    stored = assert_store_whole(orders, "orders")
    assert sorted(d["order_id"] for d in stored) == sorted(acked), "nothing refused was stored, nothing taken was lost"
    # Every taken order's event reaches the stream, once the outbox can be cleared again.
    wait_until(lambda: published_order_ids(redis_client) == set(acked), 15, what="every event published")
    wait_until(lambda: not any(d["outbox"] for d in assert_store_whole(orders, "orders")), 15, what="outboxes empty")


def test_an_outbox_that_cannot_be_cleared_on_a_full_disk_is_cleared_once_space_returns(cramped, redis_client):
    orders = cramped("orders")
    # Redis holds writes, so the events stay in the outbox while the orders are stored ...
    redis_client.execute_command("CLIENT", "PAUSE", "3000", "WRITE")
    acked = [orders.request("POST", "/order-ms/carol/orders", order(i))[1]["order_id"] for i in range(3)]
    # ... then the disk fills, and Redis takes the first event: clearing it from the outbox fails.
    orders.fill()
    redis_client.execute_command("CLIENT", "UNPAUSE")
    wait_until(lambda: published_order_ids(redis_client), 15, what="the first event published")
    assert any(d["outbox"] for d in assert_store_whole(orders, "orders")), "the outbox could not be cleared yet"
    time.sleep(3 * RETRY_S)  # the fault's duration, not a wait on it: the disk stays full over a few retries
    orders.free()
    wait_until(lambda: not any(d["outbox"] for d in assert_store_whole(orders, "orders")), 15, what="outboxes cleared")
    assert published_order_ids(redis_client) == set(acked)
    assert redis_client.xlen("events:orders") == len(acked), "an event in the stream is not sent again while its outbox entry waits"


def pending(redis_client) -> int | None:
    try:
        return redis_client.xpending("events:orders", "delivery")["pending"]
    except redis.ResponseError:  # the consumer has not made its group yet
        return None


def test_delivery_keeps_events_it_cannot_store_and_takes_them_when_space_returns(cramped, redis_client):
    delivery = cramped("delivery")
    wait_until(lambda: pending(redis_client) == 0, 20, what="delivery's consumer group")
    delivery.fill()
    ids = [str(uuid.uuid4()) for _ in range(5)]
    with redis_client.pipeline(transaction=True) as tx:  # all five at once: the consumer reads them together
        for oid in ids:
            data = {"order_id": oid, "user_id": "bob", "coffee_name": "mocha", "coffee_price": 4, "coffee_qty": 1,
                    "total": 4, "status": "received", "ordered_at": "2026-11-23T10:00:00.000000Z"}
            tx.xadd("events:orders", encode({"type": "order.created", "id": str(uuid.uuid4()), "ts": data["ordered_at"], "data": data}))
        tx.execute()
    # Read, found unstorable and kept pending: none set aside as a bad entry, none acknowledged.
    wait_until(lambda: pending(redis_client) == 5, 15, what="the entries read and held")
    assert redis_client.xlen("events:orders:dead") == 0, "disk trouble is not the entry's fault"
    assert delivery.request("GET", "/delivery-ms/bob/" + ids[0])[0] == 404

    delivery.free()
    wait_until(lambda: all(delivery.request("GET", f"/delivery-ms/bob/{oid}")[0] == 200 for oid in ids), 15,
               what="every held order in delivery")
    wait_until(lambda: pending(redis_client) == 0, 15, what="entries acknowledged")
    assert len(assert_store_whole(delivery, "delivery")) == 5
