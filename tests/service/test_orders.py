"""The orders service: create_app + test_client, a real Redis for its events."""

from __future__ import annotations

import json

import pytest

from services.orders import create_app
from services.orders.events import PUBLISHES, make_workers
from tests.helpers import wait_until

ORDER = {"coffee_name": "today's coffee", "coffee_price": "5000", "coffee_qty": "3"}


@pytest.fixture
def app(tmp_path, redis_client, redis_url):
    return create_app({"DATA_DIR": str(tmp_path), "REDIS_URL": redis_url, "TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()


def test_create_returns_the_stored_order_with_numbers_as_integers(client):
    response = client.post("/order-ms/alice/orders", json=ORDER)
    assert response.status_code == 201
    order = response.get_json()
    assert order["user_id"] == "alice" and order["coffee_name"] == "today's coffee"
    assert (order["coffee_price"], order["coffee_qty"], order["total"]) == (5000, 3, 15000)
    assert order["status"] == "received" and order["ordered_at"].endswith("Z")
    assert client.get(f"/order-ms/alice/orders/{order['order_id']}").get_json() == order


@pytest.mark.parametrize(
    "body, field",
    [
        ({**ORDER, "coffee_name": "   "}, "coffee_name"),
        ({**ORDER, "coffee_name": "x" * 101}, "coffee_name"),
        ({**ORDER, "coffee_name": 7}, "coffee_name"),
        ({**ORDER, "coffee_price": "-1"}, "coffee_price"),
        ({**ORDER, "coffee_price": 1_000_001}, "coffee_price"),
        ({**ORDER, "coffee_price": "12.5"}, "coffee_price"),
        ({**ORDER, "coffee_qty": 0}, "coffee_qty"),
        ({**ORDER, "coffee_qty": 101}, "coffee_qty"),
        ({**ORDER, "coffee_qty": True}, "coffee_qty"),
        ({k: v for k, v in ORDER.items() if k != "coffee_qty"}, "coffee_qty"),
    ],
)
def test_each_invalid_field_is_a_400_naming_it(client, body, field):
    response = client.post("/order-ms/alice/orders", json=body)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid_field" and error["field"] == field and error["message"].startswith(field)


def test_bad_bodies_and_user_ids(client):
    assert client.post("/order-ms/alice/orders", data="[1, 2]", content_type="application/json").status_code == 400
    assert client.post("/order-ms/alice/orders", data="{not json", content_type="application/json").get_json()["error"]["code"] == "invalid_body"
    big = client.post("/order-ms/alice/orders", data="x" * (64 * 1024 + 1), content_type="application/json")
    assert big.status_code == 413 and big.get_json()["error"]["code"] == "request_entity_too_large"
    bad_user = client.post("/order-ms/" + "u" * 65 + "/orders", json=ORDER)
    assert bad_user.status_code == 400 and bad_user.get_json()["error"]["field"] == "user_id"


def test_list_is_newest_first_and_paginated_and_only_the_users_own(client):
    ids = [client.post("/order-ms/bob/orders", json={**ORDER, "coffee_qty": i + 1}).get_json()["order_id"] for i in range(5)]
    client.post("/order-ms/carol/orders", json=ORDER)
    first = client.get("/order-ms/bob/orders?limit=2").get_json()
    assert [o["order_id"] for o in first["orders"]] == ids[::-1][:2]
    assert (first["total"], first["next_offset"]) == (5, 2)
    last = client.get("/order-ms/bob/orders?limit=2&offset=4").get_json()
    assert [o["order_id"] for o in last["orders"]] == [ids[0]] and last["next_offset"] is None
    assert client.get("/order-ms/bob/orders?limit=0").status_code == 400
    assert client.get(f"/order-ms/carol/orders/{ids[0]}").status_code == 404
    assert client.get("/order-ms/bob/orders/not-a-uuid").status_code == 404


def test_an_acknowledged_order_is_on_disk_when_the_store_is_reopened(client, tmp_path, redis_url):
    order = client.post("/order-ms/alice/orders", json=ORDER).get_json()
    reopened = create_app({"DATA_DIR": str(tmp_path), "REDIS_URL": redis_url}).test_client()
    assert reopened.get(f"/order-ms/alice/orders/{order['order_id']}").get_json() == order


def test_every_create_is_published_once_with_a_stable_event_id(app, client, redis_client, workers):
    orders = [client.post("/order-ms/alice/orders", json=ORDER).get_json() for _ in range(3)]
    workers(make_workers(app))
    entries = wait_until(lambda: len(e := redis_client.xrange(PUBLISHES)) == 3 and e, what="3 events on the stream")
    assert [f["type"] for _, f in entries] == ["order.created"] * 3
    assert [json.loads(f["data"])["order_id"] for _, f in entries] == [o["order_id"] for o in orders]
    assert len({f["id"] for _, f in entries}) == 3
    wait_until(lambda: not app.extensions["orders.store"].pending_events(), what="the outbox emptied")


def test_orders_are_accepted_while_redis_is_unreachable_and_published_when_it_is_back(tmp_path, redis_url, redis_client, workers):
    down = create_app({"DATA_DIR": str(tmp_path), "REDIS_URL": "redis://127.0.0.1:1/0"})
    workers(make_workers(down))
    response = down.test_client().post("/order-ms/alice/orders", json=ORDER)
    assert response.status_code == 201
    assert len(down.extensions["orders.store"].pending_events()) == 1
    # The same data dir with a reachable Redis: the outbox goes out.
    up = create_app({"DATA_DIR": str(tmp_path / ""), "REDIS_URL": redis_url})
    workers(make_workers(up))
    entries = wait_until(lambda: redis_client.xrange(PUBLISHES), what="the held event published")
    assert json.loads(entries[0][1]["data"])["order_id"] == response.get_json()["order_id"]


@pytest.mark.parametrize("field", ["coffee_price", "coffee_qty"])
@pytest.mark.parametrize("missing", ["absent", "null"])
def test_a_missing_price_or_quantity_is_a_400_naming_it_never_a_default(client, field, missing):
    body = {k: v for k, v in ORDER.items() if k != field} if missing == "absent" else {**ORDER, field: None}
    response = client.post("/order-ms/alice/orders", json=body)
    assert response.status_code == 400
    assert response.get_json()["error"] | {} == {"code": "invalid_field", "field": field,
                                                  "message": f"{field} is required: a whole number, or one as a string"}
    assert client.get("/order-ms/alice/orders").get_json()["total"] == 0
