"""Defects found in review, each held by a test: ordering, poison entries, bad ids, disk errors."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from services.common import tablefiles
from services.delivery import create_app as create_delivery
from services.delivery.events import CONSUMES as ORDERS_STREAM, make_workers as delivery_workers
from services.orders import create_app as create_orders
from services.orders.handlers import handle_delivery_event
from tests.helpers import free_port, wait_until
from tests.service.test_delivery import order_created

REPO = Path(__file__).resolve().parents[2]


def status_event(order_id: str, status: str, version: int) -> dict:
    return {"type": "delivery.status_changed", "id": str(uuid.uuid4()), "ts": "2026-01-01T00:00:00Z",
            "data": {"order_id": order_id, "user_id": "alice", "status": status, "at": "x", "version": version}}


def test_a_late_status_event_does_not_undo_a_newer_one(tmp_path, redis_url):
    orders = create_orders({"DATA_DIR": str(tmp_path), "REDIS_URL": redis_url})
    order = orders.test_client().post("/order-ms/alice/orders", json={"coffee_name": "x", "coffee_price": 1, "coffee_qty": 1}).get_json()
    store = orders.extensions["orders.store"]
    handle_delivery_event(store, status_event(order["order_id"], "cancelled", 3))  # published first
    handle_delivery_event(store, status_event(order["order_id"], "brewing", 2))  # but older
    assert store.get("alice", order["order_id"])["status"] == "cancelled"


def test_a_bad_entry_is_set_aside_and_the_consumer_goes_on(tmp_path, redis_url, redis_client, workers):
    delivery = create_delivery({"DATA_DIR": str(tmp_path), "REDIS_URL": redis_url})
    redis_client.xadd(ORDERS_STREAM, {"type": "order.created", "id": "bad", "ts": "t", "data": json.dumps({"order_id": "zz"})})
    good = order_created()
    redis_client.xadd(ORDERS_STREAM, {k: (json.dumps(v) if k == "data" else v) for k, v in good.items()})
    workers(delivery_workers(delivery))
    wait_until(lambda: delivery.test_client().get(f"/delivery-ms/alice/{good['data']['order_id']}").status_code == 200,
               what="the good order after the bad one")
    dead = redis_client.xrange(f"{ORDERS_STREAM}:dead")
    assert len(dead) == 1 and dead[0][1]["id"] == "bad" and "reason" in dead[0][1]


@pytest.mark.parametrize("method, url", [("get", "/delivery-ms/alice/zz"), ("put", "/delivery-ms/alice/xyz")])
def test_an_id_that_is_not_a_uuid_is_a_404(tmp_path, redis_url, method, url):
    client = create_delivery({"DATA_DIR": str(tmp_path), "REDIS_URL": redis_url}).test_client()
    response = getattr(client, method)(url, json={"status": "brewing"})
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("url", ["/order-ms/alice/orders", "/delivery-ms/alice/" + str(uuid.uuid4())])
def test_json_nested_too_deep_is_a_400(tmp_path, redis_url, url):
    app = (create_orders if "order-ms" in url else create_delivery)({"DATA_DIR": str(tmp_path), "REDIS_URL": redis_url})
    method = "post" if "order-ms" in url else "put"
    response = getattr(app.test_client(), method)(url, data="[" * 30000 + "]" * 30000, content_type="application/json")
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "invalid_body"


def test_a_failed_disk_write_leaves_memory_as_the_disk_is(tmp_path, redis_url, monkeypatch):
    delivery = create_delivery({"DATA_DIR": str(tmp_path), "REDIS_URL": redis_url})
    store, client = delivery.extensions["delivery.store"], delivery.test_client()
    event = order_created()
    store.receive(event["data"], event["id"], event["ts"])
    url = f"/delivery-ms/alice/{event['data']['order_id']}"
    real = tablefiles.write_atomically

    def full_disk(path, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tablefiles, "write_atomically", full_disk)
    assert client.put(url, json={"status": "brewing"}).status_code == 507
    monkeypatch.setattr(tablefiles, "write_atomically", real)
    assert client.get(url).get_json()["status"] == "received"
    assert [d["order_id"] for d in client.get("/delivery-ms/received").get_json()["orders"]] == [event["data"]["order_id"]]
    assert client.put(url, json={"status": "brewing"}).get_json()["status"] == "brewing"


def test_a_service_whose_port_is_taken_exits(tmp_path):
    import socket

    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        env = {"PATH": "/usr/bin:/bin", "PORT": str(port), "PLATFORM_DATA_DIR": str(tmp_path), "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"}
        proc = subprocess.run([sys.executable, "-m", "services.orders"], cwd=REPO, env=env, capture_output=True, text=True, timeout=30)
    assert proc.returncode != 0 and "Address already in use" in proc.stderr
