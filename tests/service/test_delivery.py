"""The delivery service, and both services joined by real Redis streams."""

from __future__ import annotations

import json
import uuid

import pytest

from services.delivery import create_app as create_delivery
from services.delivery.events import PUBLISHES as DELIVERY_STREAM, make_workers as delivery_workers
from services.delivery.handlers import handle_order_event
from services.orders import create_app as create_orders
from services.orders.events import make_workers as orders_workers
from tests.helpers import wait_until


def order_created(user="alice", order_id=None):
    order_id = order_id or str(uuid.uuid4())
    order = {"order_id": order_id, "user_id": user, "coffee_name": "latte", "coffee_price": 4000, "coffee_qty": 1,
             "total": 4000, "status": "received", "ordered_at": "2026-01-01T00:00:00.000000Z"}
    return {"type": "order.created", "id": str(uuid.uuid4()), "ts": order["ordered_at"], "data": order}


@pytest.fixture
def app(tmp_path, redis_client, redis_url):
    return create_delivery({"DATA_DIR": str(tmp_path), "REDIS_URL": redis_url})


def test_a_duplicate_event_changes_nothing(app):
    store = app.extensions["delivery.store"]
    event = order_created()
    handle_order_event(store, event)
    handle_order_event(store, event)
    page, total = store.by_status("received", 10, 0)
    assert total == 1 and page[0]["history"] == [{"status": "received", "at": event["ts"]}]


def test_status_moves_forward_and_refuses_anything_else(app):
    client, event = app.test_client(), order_created()
    handle_order_event(app.extensions["delivery.store"], event)
    url = f"/delivery-ms/alice/{event['data']['order_id']}"
    for status in ("brewing", "delivering", "delivered"):
        response = client.put(url, json={"status": status})
        assert response.status_code == 200 and response.get_json()["status"] == status
    conflict = client.put(url, json={"status": "brewing"})
    assert conflict.status_code == 409
    assert conflict.get_json()["error"] | {} == {"code": "invalid_transition", "message": "an order that is delivered cannot become brewing",
                                                  "current": "delivered", "allowed": []}
    assert [h["status"] for h in client.get(url).get_json()["history"]] == ["received", "brewing", "delivering", "delivered"]


def test_cancel_from_received_or_brewing_only(app):
    client, store = app.test_client(), app.extensions["delivery.store"]
    first, second = order_created(), order_created()
    for event in (first, second):
        handle_order_event(store, event)
    assert client.put(f"/delivery-ms/alice/{first['data']['order_id']}", json={"status": "cancelled"}).status_code == 200
    url = f"/delivery-ms/alice/{second['data']['order_id']}"
    client.put(url, json={"status": "brewing"})
    client.put(url, json={"status": "delivering"})
    refused = client.put(url, json={"status": "cancelled"})
    assert refused.status_code == 409 and refused.get_json()["error"]["allowed"] == ["delivered"]


def test_bad_input(app):
    client, event = app.test_client(), order_created()
    handle_order_event(app.extensions["delivery.store"], event)
    url = f"/delivery-ms/alice/{event['data']['order_id']}"
    assert client.put(url, json={"status": "teleported"}).get_json()["error"]["field"] == "status"
    assert client.put(url, data="[]", content_type="application/json").status_code == 400
    assert client.get("/delivery-ms/lost").status_code == 400
    assert client.get(f"/delivery-ms/mallory/{event['data']['order_id']}").status_code == 404
    assert client.put(f"/delivery-ms/mallory/{event['data']['order_id']}", json={"status": "brewing"}).status_code == 404


def test_orders_by_status_are_paginated(app):
    store = app.extensions["delivery.store"]
    for _ in range(3):
        handle_order_event(store, order_created())
    page = app.test_client().get("/delivery-ms/received?limit=2").get_json()
    assert page["total"] == 3 and len(page["orders"]) == 2 and page["next_offset"] == 2


def test_an_order_flows_to_delivery_and_its_status_flows_back(tmp_path, redis_url, redis_client, workers):
    orders = create_orders({"DATA_DIR": str(tmp_path / "o"), "REDIS_URL": redis_url})
    delivery = create_delivery({"DATA_DIR": str(tmp_path / "d"), "REDIS_URL": redis_url})
    workers(orders_workers(orders) + delivery_workers(delivery))
    order = orders.test_client().post("/order-ms/alice/orders", json={"coffee_name": "mocha", "coffee_price": 10, "coffee_qty": 2}).get_json()
    seen = wait_until(lambda: delivery.test_client().get("/delivery-ms/received").get_json()["orders"], what="the order in delivery")
    assert seen[0]["order_id"] == order["order_id"]
    for status in ("brewing", "delivering", "delivered"):
        assert delivery.test_client().put(f"/delivery-ms/alice/{order['order_id']}", json={"status": status}).status_code == 200
    wait_until(lambda: orders.test_client().get(f"/order-ms/alice/orders/{order['order_id']}").get_json()["status"] == "delivered",
               what="the order detail to say delivered")
    kinds = [f["type"] for _, f in redis_client.xrange(DELIVERY_STREAM)]
    assert kinds == ["delivery.status_changed"] * 3
    assert json.loads(redis_client.xrange(DELIVERY_STREAM)[-1][1]["data"])["status"] == "delivered"
