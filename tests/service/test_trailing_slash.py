"""Every documented path also answers with one trailing slash, as the original documents write
them (`POST /order-ms/USER0001/orders/`): straight at each service and through the gateway, answered
where it is asked (never a redirect, which would name a service's internal address). One optional
slash is not slash merging: a doubled slash stays a JSON 404."""

from __future__ import annotations

import pytest

from services.delivery import create_app as create_delivery
from services.orders import create_app as create_orders
from services.tts import create_app as create_tts
from tests.helpers import free_port, wait_until
from tests.service.fuzz_stack import call
from tests.service.original_api import ORDER, raw_get, received, running_stack, via


def assert_json_404(response) -> None:
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("slash", ["", "/"])
def test_orders_paths_answer_with_or_without_a_trailing_slash(tmp_path, redis_client, redis_url, slash):
    client = create_orders({"DATA_DIR": str(tmp_path), "REDIS_URL": redis_url}).test_client()
    made = client.post(f"/order-ms/alice/orders{slash}", json=ORDER)
    assert made.status_code == 201, made.data  # answered, not redirected (a redirect names the service's address)
    listed = client.get(f"/order-ms/alice/orders{slash}")
    assert listed.status_code == 200 and [o["order_id"] for o in listed.get_json()["orders"]] == [made.get_json()["order_id"]]
    shown = client.get(f"/order-ms/alice/orders/{made.get_json()['order_id']}{slash}")
    assert shown.status_code == 200 and shown.get_json() == made.get_json()
    assert client.get(f"/health{slash}").status_code == 200


def test_one_trailing_slash_is_not_slash_merging(tmp_path, redis_client, redis_url):
    client = create_orders({"DATA_DIR": str(tmp_path), "REDIS_URL": redis_url}).test_client()
    assert_json_404(client.get("/order-ms/alice/orders//"))
    assert_json_404(client.post("/order-ms/alice//orders", json=ORDER))
    assert_json_404(client.get("/order-ms//alice/orders"))


@pytest.mark.parametrize("slash", ["", "/"])
def test_delivery_paths_answer_with_or_without_a_trailing_slash(tmp_path, redis_client, redis_url, slash):
    delivery = create_delivery({"DATA_DIR": str(tmp_path), "REDIS_URL": redis_url})
    client, order_id = delivery.test_client(), received(delivery)
    listed = client.get(f"/delivery-ms/received{slash}")
    assert listed.status_code == 200 and [d["order_id"] for d in listed.get_json()["orders"]] == [order_id]
    assert client.get(f"/delivery-ms/alice/{order_id}{slash}").get_json()["status"] == "received"
    changed = client.put(f"/delivery-ms/alice/{order_id}{slash}", json={"status": "brewing"})
    assert changed.status_code == 200 and changed.get_json()["status"] == "brewing"
    assert_json_404(client.get(f"/delivery-ms/alice/{order_id}//"))


@pytest.mark.parametrize("slash", ["", "/"])
def test_tts_paths_answer_with_or_without_a_trailing_slash(tmp_path, redis_client, redis_url, slash):
    # GTTS_URL: a closed local port, never the internet.
    client = create_tts({"DATA_DIR": str(tmp_path), "REDIS_URL": redis_url, "TTS_ENGINE": "espeak",
                         "GTTS_URL": f"http://127.0.0.1:{free_port()}"}).test_client()
    made = client.post(f"/tts{slash}", json={"text": "a trailing slash"})
    assert made.status_code == 201, made.data
    entry = made.get_json()["id"]
    assert client.get(f"/tts/{entry}{slash}").get_json()["id"] == entry
    audio = client.get(f"/tts/{entry}.mp3{slash}")
    assert audio.status_code == 200 and audio.mimetype == "audio/mpeg"
    assert "en" in client.get(f"/tts/voices{slash}").get_json()["languages"]
    old = client.post(f"/output{slash}", json={"message": "hello old client", "name": "greeting"})
    assert old.status_code == 201 and old.get_json()["url"] == "/files/greeting"
    greeting = client.get(f"/tts/{old.get_json()['id']}.mp3").data
    for name in ("greeting", "greeting.mp3"):
        got = client.get(f"/files/{name}{slash}")
        assert got.status_code == 200 and got.data == greeting, name
    assert client.get("/files/greeting//").status_code == 404
    assert client.get("/files/a/b").status_code in (400, 404)  # a name, never a path


@pytest.fixture(scope="module")
def stack(tmp_path_factory, redis_url):
    with running_stack(tmp_path_factory.mktemp("slashes"), redis_url) as running:
        yield running


@pytest.mark.parametrize("slash", ["", "/"])
def test_every_documented_path_answers_with_or_without_a_slash_through_the_gateway(stack, slash):
    me = stack.users["customer"]["user_id"]
    status, made = via(stack, "customer", "POST", f"/order-ms/{me}/orders{slash}", ORDER)
    assert status == 201, made
    status, listed = via(stack, "customer", "GET", f"/order-ms/{me}/orders{slash}")
    assert status == 200 and made["order_id"] in [o["order_id"] for o in listed["orders"]]
    assert via(stack, "customer", "GET", f"/order-ms/{me}/orders/{made['order_id']}{slash}") == (200, made)
    wait_until(lambda: via(stack, "customer", "GET", f"/delivery-ms/{me}/{made['order_id']}{slash}")[0] == 200,
               what="the order in delivery")
    status, page = via(stack, "staff", "GET", f"/delivery-ms/received{slash}")
    assert status == 200 and page["status"] == "received"
    status, changed = via(stack, "staff", "PUT", f"/delivery-ms/{me}/{made['order_id']}{slash}", {"status": "brewing"})
    assert status == 200 and changed["status"] == "brewing", changed
    status, spoken = via(stack, "customer", "POST", f"/tts{slash}", {"text": "through the gateway, slashed"})
    assert status == 201, spoken
    assert via(stack, "customer", "GET", f"/tts/{spoken['id']}{slash}")[1]["id"] == spoken["id"]
    assert via(stack, "customer", "GET", f"/tts/voices{slash}")[0] == 200
    status, old = via(stack, "customer", "POST", f"/output{slash}", {"message": "old api, slashed", "name": "slashed"})
    assert status == 201 and old["url"] == "/files/slashed", old
    for path in (f"/tts/{spoken['id']}.mp3{slash}", f"/files/slashed{slash}"):
        assert raw_get(stack, "customer", path)[:2] == (200, "audio/mpeg"), path
    customer = stack.users["customer"]
    assert call(stack.port, "POST", f"/auth/signin{slash}", {"email": customer["email"], "password": customer["password"]})[0] == 200
    assert call(stack.port, "GET", f"/health{slash}")[0] == 200


def test_a_doubled_slash_through_the_gateway_is_still_a_json_404(stack):
    me = stack.users["customer"]["user_id"]
    status, answer = via(stack, "customer", "GET", f"/order-ms/{me}/orders//")
    assert status == 404 and answer["error"]["code"] == "not_found"
