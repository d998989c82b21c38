"""Orders and delivery under `platform up`: the CLI flow, and what crashes and outages must not lose."""

from __future__ import annotations

import http.client
import json
import threading
from pathlib import Path

import pytest

from services.common.tablefiles import TableFilesStorage
from tests.e2e.conftest import kill
from tests.helpers import wait_until

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def shop(project):
    """The repo's own redis, orders and delivery, on free ports in a temp project."""
    project.write(
        {"redis": "python -m services.redis", "orders": "python -m services.orders", "delivery": "python -m services.delivery"},
        {"redis": {"probe": "redis"}, "orders": {"probe": "http:/health", "depends_on": ["redis"]},
         "delivery": {"probe": "http:/health", "depends_on": ["redis"]}},
    )
    project.ok("up")
    return project


class Load:
    """A steady stream of real HTTP creates; records every order acknowledged with 201."""

    def __init__(self, port: int):
        self.port, self.acked, self.failed = port, [], 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        i = 0
        while not self.stop.is_set():
            i += 1
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("POST", "/order-ms/loadtest/orders", body=json.dumps({"coffee_name": f"cup {i}", "coffee_price": 1, "coffee_qty": 1}),
                             headers={"Content-Type": "application/json"})
                response = conn.getresponse()
                body = response.read()
                if response.status == 201:
                    self.acked.append(json.loads(body)["order_id"])
                else:
                    self.failed += 1
            except (OSError, http.client.HTTPException):
                self.failed += 1  # down, or killed mid-response: not acknowledged, so not owed
                self.stop.wait(0.02)

    def finish(self) -> list[str]:
        self.stop.set()
        self.thread.join(10)
        return self.acked


def delivery_ids(project, status="received") -> list[str]:
    out = project.ok("delivery", "list", status, "--json", "--limit", "100").stdout
    page = json.loads(out)
    ids = [d["order_id"] for d in page["orders"]]
    offset = page["next_offset"]
    while offset is not None:
        page = json.loads(project.ok("delivery", "list", status, "--json", "--limit", "100", "--offset", str(offset)).stdout)
        ids += [d["order_id"] for d in page["orders"]]
        offset = page["next_offset"]
    return ids


def stored_ids(project, user="loadtest") -> list[str]:
    ids, offset = [], 0
    while offset is not None:
        page = json.loads(project.ok("order", "list", "--user", user, "--json", "--limit", "100", "--offset", str(offset)).stdout)
        ids += [o["order_id"] for o in page["orders"]]
        offset = page["next_offset"]
    return ids


def assert_every_acked_order_once(project, acked: list[str]) -> None:
    """Every order acknowledged with 201 is stored once and reaches delivery once. An order the
    process stored just before it was killed, unacknowledged, may be stored too, also only once."""
    assert acked, "the load generator got no order through"
    project.wait_healthy("orders")
    project.wait_healthy("delivery")
    stored = stored_ids(project)
    assert len(stored) == len(set(stored)), "no order stored twice"
    assert set(acked) <= set(stored), "no acknowledged order lost"
    assert len(stored) - len(acked) <= 5, "only orders caught mid-response are stored without a 201"
    seen = wait_until(lambda: len(ids := delivery_ids(project)) >= len(stored) and ids, 30, what="every order in delivery")
    assert sorted(seen) == sorted(stored), "each stored order reaches delivery exactly once"


def assert_store_files_whole(data: Path) -> None:
    for service in ("orders", "delivery"):
        tables = TableFilesStorage(data / service).read()  # raises on any half-written table file
        assert tables, f"{service} stored nothing"


def test_an_order_goes_from_create_to_delivered_through_the_cli(shop):
    order = json.loads(shop.ok("order", "create", "--user", "alice", "--coffee", "today's coffee", "--price", "5000", "--qty", "3", "--json").stdout)
    assert (order["total"], order["status"]) == (15000, "received")
    wait_until(lambda: order["order_id"] in delivery_ids(shop), 5, what="the order in delivery")
    for expected in ("brewing", "delivering", "delivered"):
        assert json.loads(shop.ok("delivery", "advance", "--user", "alice", order["order_id"], "--json").stdout)["status"] == expected
    wait_until(lambda: json.loads(shop.ok("order", "show", "--user", "alice", order["order_id"], "--json").stdout)["status"] == "delivered",
               5, what="the order detail to say delivered")
    refused = shop.run("order", "cancel", "--user", "alice", order["order_id"])
    assert refused.returncode == 9 and refused.stderr.startswith("error: delivery: an order that is delivered cannot become cancelled")
    human = shop.ok("order", "show", "--user", "alice", order["order_id"]).stdout
    assert "delivered" in human and "15000" in human
    # What users type is shown as it is, never read as rich markup.
    shop.ok("order", "create", "--user", "alice", "--coffee", "[/x] latte [bold]", "--price", "4000")
    listed = json.loads(shop.ok("order", "list", "--user", "alice", "--json").stdout)["orders"]
    assert listed[0]["coffee_name"] == "[/x] latte [bold]"
    assert "[/x]" in shop.ok("order", "list", "--user", "alice").stdout


def test_a_down_service_is_one_clear_error(shop):
    shop.ok("stop", "orders")
    result = shop.run("order", "list", "--user", "alice")
    assert result.returncode == 10
    assert result.stderr.startswith(f"error: orders does not answer at http://127.0.0.1:{shop.ports['orders']} (connection refused)")


def test_sigkill_of_orders_during_creates_loses_and_doubles_nothing(shop):
    load = Load(shop.ports["orders"])
    for _ in range(3):
        wait_until(lambda n=len(load.acked): len(load.acked) > n + 10, 20, what="creates going through")
        kill(shop.wait_healthy("orders")["pid"])
    wait_until(lambda n=len(load.acked): len(load.acked) > n + 10, 20, what="creates after the last kill")
    assert_every_acked_order_once(shop, load.finish())
    assert_store_files_whole(shop.data)


def test_sigkill_of_delivery_mid_stream_loses_and_doubles_nothing(shop):
    load = Load(shop.ports["orders"])
    for _ in range(3):
        wait_until(lambda n=len(load.acked): len(load.acked) > n + 10, 20, what="creates going through")
        kill(shop.wait_healthy("delivery")["pid"])
    assert_every_acked_order_once(shop, load.finish())
    assert_store_files_whole(shop.data)


def test_creates_go_on_while_redis_is_stopped_and_every_event_arrives_after(shop):
    load = Load(shop.ports["orders"])
    wait_until(lambda: len(load.acked) > 10, 20, what="creates going through")
    shop.ok("stop", "redis")
    during = len(load.acked)
    wait_until(lambda: len(load.acked) > during + 20, 20, what="creates accepted with redis down")
    shop.ok("start", "redis")
    assert_every_acked_order_once(shop, load.finish())
