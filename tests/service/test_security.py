"""Identity and abuse at the gateway, over real HTTP: readable user ids, file names per account,
sign-in that leaks nothing, throttling, password and email policy, Host checks, body limits.

The real orders, delivery, tts and gateway run as processes against one redis-server
(fuzz_stack.Stack), once for the module; every request is a real HTTP request on 127.0.0.1.
"""

from __future__ import annotations

import json
import time
import uuid

import pytest

from tests.service.fuzz_stack import Stack, call
from tests.service.test_tts import GoogleStandIn

PASSWORD = "a good password 1"
HEX_ID = "0123456789abcdef0123456789abcdef"  # an account made before ids were readable


@pytest.fixture(scope="module")
def stack(tmp_path_factory, redis_url):
    from werkzeug.security import generate_password_hash

    from services.gateway.auth import UserStore
    from services.tts.engines import Espeak

    google = GoogleStandIn(Espeak().speak("from the stand in", "en", False).audio)
    running = Stack(tmp_path_factory.mktemp("security"), redis_url, google.url)
    old = UserStore(running.data / "gateway" / "users")  # as an older gateway left it
    old.table.insert({"user_id": HEX_ID, "email": "old@example.com", "role": "customer",
                      "password": generate_password_hash(PASSWORD), "created": time.time()})
    del old
    try:
        running.start()
        yield running
    finally:
        running.stop()
        google.close()


def sign_up(stack: Stack, email: str | None = None) -> dict:
    email = email or f"u-{uuid.uuid4().hex[:10]}@example.com"
    status, made = call(stack.port, "POST", "/auth/signup", {"email": email, "password": PASSWORD})
    assert status == 201, made
    status, signed_in = call(stack.port, "POST", "/auth/signin", {"email": email, "password": PASSWORD})
    assert status == 200, signed_in
    return signed_in


# -- issue 11.7: user ids a person can read and type ---------------------------------------------------

def test_signup_gives_readable_sequential_user_ids(stack):
    first, second = sign_up(stack), sign_up(stack)
    assert first["user_id"].startswith("USER") and len(first["user_id"]) == 8
    assert int(second["user_id"][4:]) == int(first["user_id"][4:]) + 1
    status, me = call(stack.port, "GET", "/auth/me", token=second["token"])
    assert status == 200 and (me["user_id"], me["email"], me["role"]) == (second["user_id"], second["email"], "customer")
    status, _ = call(stack.port, "POST", f"/order-ms/{first['user_id']}/orders",
                     {"coffee_name": "latte", "coffee_price": 4000, "coffee_qty": 1}, first["token"])
    assert status == 201


def test_an_account_with_a_hex_id_keeps_working(stack):
    status, signed_in = call(stack.port, "POST", "/auth/signin", {"email": "old@example.com", "password": PASSWORD})
    assert status == 200 and signed_in["user_id"] == HEX_ID
    status, order = call(stack.port, "POST", f"/order-ms/{HEX_ID}/orders",
                         {"coffee_name": "latte", "coffee_price": 4000, "coffee_qty": 1}, signed_in["token"])
    assert status == 201 and order["user_id"] == HEX_ID


# -- issue 11.8: an old-API file name belongs to the account that made it -------------------------------

def test_a_file_name_belongs_to_its_account(stack):
    alice, bob = sign_up(stack), sign_up(stack)
    status, made_a = call(stack.port, "POST", "/output", {"message": "alice speaking", "name": "greeting"}, alice["token"])
    assert status == 201, made_a
    # bob takes the same name, and tries to pass himself off as alice to tts
    status, made_b = call_with(stack.port, "POST", "/output", {"message": "bob speaking", "name": "greeting"}, bob["token"],
                               {"X-Platform-Owner": alice["user_id"]})
    assert status == 201 and made_b["id"] != made_a["id"]
    assert served_id(stack, "/files/greeting", alice["token"]) == made_a["id"]
    assert served_id(stack, "/files/greeting", bob["token"]) == made_b["id"]
    carol = sign_up(stack)
    assert call(stack.port, "GET", "/files/greeting", token=carol["token"])[0] == 404


def test_tts_refuses_an_owner_that_is_no_user_id(stack):
    status, answer = call_with(stack.ports["tts"], "POST", "/output", {"message": "hi", "name": "x"}, None,
                               {"X-Platform-Owner": "a:b"})
    assert status == 400 and answer["error"]["code"] == "invalid_owner"


# -- helpers ---------------------------------------------------------------------------------------

def call_with(port: int, method: str, path: str, body, token: str | None, headers: dict) -> tuple[int, dict]:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    sent = {"Content-Type": "application/json", **headers, **({"Authorization": f"Bearer {token}"} if token else {})}
    try:
        conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=sent)
        response = conn.getresponse()
        data = response.read()
        return response.status, json.loads(data) if data else {}
    finally:
        conn.close()


def served_id(stack: Stack, path: str, token: str) -> str:
    """Which cached rendering a /files/ path serves: its download name is the name, so compare bytes."""
    import http.client
    import pathlib

    conn = http.client.HTTPConnection("127.0.0.1", stack.port, timeout=30)
    try:
        conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        response = conn.getresponse()
        audio = response.read()
        assert response.status == 200, audio[:200]
    finally:
        conn.close()
    for mp3 in pathlib.Path(stack.data, "tts").glob("*.mp3"):
        if mp3.read_bytes() == audio:
            return mp3.stem
    raise AssertionError("the served audio is no cached file")
