"""Korean status names on the command line, against orders and delivery under `platform up`:
`platform delivery list 제작중`, `delivery advance --to 제작중`."""

from __future__ import annotations

import json

import pytest

from tests.helpers import wait_until


@pytest.fixture
def shop(project):
    project.write(
        {"redis": "python -m services.redis", "orders": "python -m services.orders", "delivery": "python -m services.delivery"},
        {"redis": {"probe": "redis"}, "orders": {"probe": "http:/health", "depends_on": ["redis"]},
         "delivery": {"probe": "http:/health", "depends_on": ["redis"]}},
    )
    project.ok("up")
    return project


def listed(project, status: str) -> dict:
    return json.loads(project.ok("delivery", "list", status, "--json").stdout)


def test_delivery_list_and_advance_take_korean_status_names(shop):
    order = json.loads(shop.ok("order", "create", "--user", "alice", "--coffee", "latte", "--price", "4000", "--json").stdout)
    page = wait_until(lambda: (page := listed(shop, "접수완료"))["total"] and page, what="the order in delivery, listed as 접수완료")
    assert (page["status"], page["status_label"]) == ("received", "접수완료")
    assert [d["order_id"] for d in page["orders"]] == [order["order_id"]]
    moved = json.loads(shop.ok("delivery", "advance", order["order_id"], "--user", "alice", "--to", "제작중", "--json").stdout)
    assert (moved["status"], moved["status_label"]) == ("brewing", "제작중")
    assert [d["order_id"] for d in listed(shop, "제작중")["orders"]] == [order["order_id"]]
    assert listed(shop, "제작중") == listed(shop, "brewing")
    assert "brewing (제작중): 1" in shop.ok("delivery", "list", "제작중").stdout
    wrong = shop.run("delivery", "list", "제작")
    assert wrong.returncode == 9 and wrong.stderr.startswith("error: delivery: status must be one of received (접수완료), brewing (제작중)")
    cancelled = json.loads(shop.ok("delivery", "advance", order["order_id"], "--user", "alice", "--to", "취소", "--json").stdout)
    assert cancelled["status"] == "cancelled"
    wait_until(lambda: json.loads(shop.ok("order", "show", "--user", "alice", order["order_id"], "--json").stdout)["status"] == "cancelled",
               what="orders to hear of the cancel, in English")
