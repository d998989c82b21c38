"""Defects the gateway fuzz (test_gateway_fuzz.py) found, each pinned by a focused test."""

from __future__ import annotations

import logging

import pytest

from services.orders import create_app as create_orders
from tests.service.test_gateway import Upstream, as_staff, build, sign_up_in

SURROGATE_PASSWORD = '"a good password 1\\ud800"'  # JSON's escape lets a lone surrogate in


@pytest.fixture
def upstream():
    server = Upstream()
    yield server
    server.close()


def test_odd_bytes_in_a_path_or_query_go_upstream_percent_encoded(upstream, tmp_path):
    # Were a 500 (a non-ASCII path or query cannot go on an HTTP request line as they are) and a
    # 503 (a space or a control character after decoding: http.client refuses the URL).
    client = as_staff(build(tmp_path, UPSTREAMS={"orders": upstream.url}))
    response = client.get("/order-ms/%C3%A9%20a%00b/orders", environ_overrides={"QUERY_STRING": "q=%E9\xe9 x&r=1"})
    assert response.status_code == 200
    assert upstream.seen[-1]["path"] == "/order-ms/%C3%A9%20a%00b/orders?q=%E9%E9%20x&r=1"


def test_a_query_that_is_not_utf8_is_answered_and_logged(tmp_path):
    # Was a 500: the access-log line decoded the query as UTF-8.
    from services.gateway import access_log

    lines = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(record.getMessage())
    access_log.addHandler(handler)
    try:
        response = build(tmp_path).test_client().get("/health", environ_overrides={"QUERY_STRING": "x=\x80\n"})
    finally:
        access_log.removeHandler(handler)
    assert response.status_code == 200
    assert any(line.startswith("GET /health?x=%80%0A 200") for line in lines), lines


def test_a_doubled_slash_is_a_404_not_a_redirect_naming_the_service(tmp_path, redis_url):
    # Was a 308 whose Location and body named the service's own address (werkzeug merged the
    # slashes of "/order-ms//orders"), passed back through the gateway to the client.
    response = create_orders({"DATA_DIR": str(tmp_path), "REDIS_URL": redis_url}).test_client().get("/order-ms/a//orders")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
    assert "Location" not in response.headers


def test_a_password_no_utf8_can_carry_is_refused_not_a_500(tmp_path):
    client = build(tmp_path, UPSTREAMS={}).test_client()
    signup = client.post("/auth/signup", data='{"email": "x@example.com", "password": ' + SURROGATE_PASSWORD + "}",
                         content_type="application/json")
    assert signup.status_code == 400 and signup.get_json()["error"]["field"] == "password"
    sign_up_in(client.application, "bob@example.com")
    signin = client.post("/auth/signin", data='{"email": "bob@example.com", "password": ' + SURROGATE_PASSWORD + "}",
                         content_type="application/json")
    assert signin.status_code == 401
    email = client.post("/auth/signup", data='{"email": "x\\udc80@example.com", "password": "a good password 1"}',
                        content_type="application/json")
    assert email.status_code == 400 and email.get_json()["error"]["field"] == "email"


def test_an_order_whose_name_no_utf8_can_carry_is_refused(tmp_path, redis_client, redis_url):
    # Was stored and served back: a name every client that shows it would fail on.
    client = create_orders({"DATA_DIR": str(tmp_path), "REDIS_URL": redis_url}).test_client()
    response = client.post("/order-ms/alice/orders", data='{"coffee_name": "latte\\ud800", "coffee_price": 1, "coffee_qty": 1}',
                           content_type="application/json")
    assert response.status_code == 400 and response.get_json()["error"]["field"] == "coffee_name"
    assert client.get("/order-ms/alice/orders").get_json()["total"] == 0
