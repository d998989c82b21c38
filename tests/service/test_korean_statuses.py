"""Korean status names, as the original documents write them, wherever a status is: the path
(`GET /delivery-ms/제작중`, percent-encoded UTF-8 as browsers and curl send it), the `PUT` body,
and through the gateway under the same access rules. Answers and events keep the English name;
answers add the Korean one as `status_label`."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

import pytest

from services.delivery import create_app as create_delivery
from services.orders import create_app as create_orders
from tests.helpers import wait_until
from tests.service.original_api import ORDER, received, running_stack, via

KOREAN = {"접수완료": "received", "제작중": "brewing", "배송중": "delivering", "배송완료": "delivered", "취소": "cancelled"}
STEPS = {"received": [], "brewing": ["brewing"], "delivering": ["brewing", "delivering"],
         "delivered": ["brewing", "delivering", "delivered"], "cancelled": ["cancelled"]}


@pytest.fixture
def delivery(tmp_path, redis_client, redis_url):
    return create_delivery({"DATA_DIR": str(tmp_path), "REDIS_URL": redis_url})


@pytest.mark.parametrize("korean, status", KOREAN.items())
def test_a_korean_status_lists_the_same_orders_as_its_english_name(delivery, korean, status):
    client, order_id = delivery.test_client(), received(delivery)
    for step in STEPS[status]:  # one order moved there
        assert client.put(f"/delivery-ms/alice/{order_id}", json={"status": step}).status_code == 200
    english = client.get(f"/delivery-ms/{status}").get_json()
    page = client.get("/delivery-ms/" + quote(korean))  # percent-encoded UTF-8, as a browser or curl sends it
    assert page.status_code == 200
    assert page.get_json() == english and english["total"] == 1
    assert (english["status"], english["status_label"]) == (status, korean)
    assert english["orders"][0]["status"] == status and english["orders"][0]["status_label"] == korean


def test_a_korean_status_in_the_body_is_stored_and_published_in_english(delivery, redis_client):
    client, order_id = delivery.test_client(), received(delivery)
    changed = client.put(f"/delivery-ms/alice/{order_id}", json={"status": "제작중"})
    assert changed.status_code == 200
    assert (changed.get_json()["status"], changed.get_json()["status_label"]) == ("brewing", "제작중")
    assert [step["status"] for step in changed.get_json()["history"]] == ["received", "brewing"]
    event = delivery.extensions["delivery.store"].pending_events()[-1]
    assert event["data"]["status"] == "brewing"  # orders, and every consumer, read one spelling
    decomposed = unicodedata.normalize("NFD", "취소")  # jamo, as some keyboards and macOS send Hangul
    assert client.put(f"/delivery-ms/alice/{order_id}", json={"status": decomposed}).get_json()["status"] == "cancelled"
    refused = client.put(f"/delivery-ms/alice/{order_id}", json={"status": "배송완료"})
    assert refused.status_code == 409 and refused.get_json()["error"]["message"] == "an order that is cancelled cannot become delivered"


def test_orders_answers_carry_the_korean_label_too(tmp_path, redis_client, redis_url):
    client = create_orders({"DATA_DIR": str(tmp_path), "REDIS_URL": redis_url}).test_client()
    made = client.post("/order-ms/alice/orders", json=ORDER).get_json()
    assert (made["status"], made["status_label"]) == ("received", "접수완료")
    assert client.get(f"/order-ms/alice/orders/{made['order_id']}").get_json() == made
    assert client.get("/order-ms/alice/orders").get_json()["orders"] == [made]


@pytest.mark.parametrize("wrong", ["제작", "Brewing", " brewing", 7, None, ["brewing"], {"status": "brewing"}])
def test_a_status_in_neither_language_is_a_400_listing_both(delivery, wrong):
    client, order_id = delivery.test_client(), received(delivery)
    error = client.put(f"/delivery-ms/alice/{order_id}", json={"status": wrong}).get_json()["error"]
    assert error["field"] == "status" and "brewing (제작중)" in error["message"] and "cancelled (취소)" in error["message"]
    assert error["allowed"] == ["received", "brewing", "delivering", "delivered", "cancelled"]
    if isinstance(wrong, str):
        assert client.get("/delivery-ms/" + quote(wrong)).get_json()["error"]["field"] == "status"


@pytest.fixture(scope="module")
def stack(tmp_path_factory, redis_url):
    with running_stack(tmp_path_factory.mktemp("korean"), redis_url) as running:
        yield running


def test_korean_statuses_through_the_gateway_follow_the_same_access_rules(stack):
    me = stack.users["customer"]["user_id"]
    status, made = via(stack, "customer", "POST", f"/order-ms/{me}/orders", ORDER)
    assert status == 201
    wait_until(lambda: via(stack, "customer", "GET", f"/delivery-ms/{me}/{made['order_id']}")[0] == 200, what="the order in delivery")
    received = "/delivery-ms/" + quote("접수완료")
    status, refused = via(stack, "customer", "GET", received)
    assert status == 403 and refused["error"]["message"] == "listing deliveries by status needs the staff role"
    status, page = via(stack, "staff", "GET", received + "/")
    assert status == 200 and (page["status"], page["status_label"]) == ("received", "접수완료")
    assert made["order_id"] in [d["order_id"] for d in page["orders"]]
    # A customer may cancel, in either language, and change nothing else.
    status, refused = via(stack, "customer", "PUT", f"/delivery-ms/{me}/{made['order_id']}", {"status": "제작중"})
    assert status == 403, refused
    status, cancelled = via(stack, "customer", "PUT", f"/delivery-ms/{me}/{made['order_id']}", {"status": "취소"})
    assert status == 200 and (cancelled["status"], cancelled["status_label"]) == ("cancelled", "취소"), cancelled
    shown = wait_until(lambda: (shown := via(stack, "customer", "GET", f"/order-ms/{me}/orders/{made['order_id']}")[1])["status"]
                       == "cancelled" and shown, what="orders to hear of the cancel, in English")
    assert shown["status_label"] == "취소"
