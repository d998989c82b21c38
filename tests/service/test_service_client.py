"""The CLI's service client against a real local HTTP server: what each answer becomes."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler

import pytest

from platform_cli.clients.services import ServiceClient
from platform_cli.errors import ExitCode, LoginNeededError, ServiceDownError, ServiceError
from tests.helpers import LocalServer, free_port


def answering(status: int, body: dict):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return LocalServer(Handler)


@pytest.mark.parametrize("message, expected", [("the token has expired: sign in again", "your login has expired"),
                                               ("a token is needed: sign in at /auth/signin", "the gateway wants a login")])
def test_a_401_from_the_gateway_asks_for_a_login(message, expected):
    server = answering(401, {"error": {"code": "unauthorized", "message": message}})
    try:
        with pytest.raises(LoginNeededError) as err:
            ServiceClient("orders", server.url, token="t").get("order-ms", "a", "orders")
    finally:
        server.close()
    assert err.value.message.startswith(expected) and err.value.exit_code == ExitCode.LOGIN_NEEDED
    assert "platform login" in err.value.hint


def test_a_4xx_shows_the_services_message_and_a_down_service_is_exit_10():
    server = answering(409, {"error": {"code": "invalid_transition", "message": "no", "allowed": ["delivered"]}})
    try:
        with pytest.raises(ServiceError) as err:
            ServiceClient("delivery", server.url).get("x")
    finally:
        server.close()
    assert err.value.message == "delivery: no" and err.value.hint == "allowed next: delivered"
    with pytest.raises(ServiceDownError) as down:
        ServiceClient("orders", f"http://127.0.0.1:{free_port()}").get("x")
    assert down.value.exit_code == ExitCode.SERVICE_DOWN


@pytest.mark.parametrize("status, code, message", [(503, "upstream_unavailable", "tts is not reachable"),
                                                   (504, "upstream_timeout", "tts took longer than 30s")])
def test_the_gateway_saying_a_service_is_down_is_exit_10_naming_that_service(status, code, message):
    server = answering(status, {"error": {"code": code, "message": message, "service": "tts"}})
    try:
        with pytest.raises(ServiceDownError) as err:
            ServiceClient("tts", server.url, via="gateway").get("tts", "voices")
    finally:
        server.close()
    assert err.value.exit_code == ExitCode.SERVICE_DOWN
    assert err.value.message == f"tts does not answer (the gateway says: {message})"
    assert err.value.hint == "is it running? see `platform status tts`; start it with `platform start tts`"


def test_a_503_that_is_not_about_an_upstream_stays_a_service_error():
    server = answering(503, {"error": {"code": "read_only_disk", "message": "the data directory is read-only"}})
    try:
        with pytest.raises(ServiceError) as err:
            ServiceClient("orders", server.url, via="gateway").get("x")
    finally:
        server.close()
    assert err.value.exit_code == ExitCode.SERVICE_ERROR and "read-only" in err.value.message


def test_a_gateway_that_does_not_answer_is_named_in_the_error_and_the_hint():
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(ServiceDownError) as err:
        ServiceClient("orders", url, via="gateway").get("order-ms", "u", "orders")
    assert err.value.message == f"gateway does not answer at {url} (connection refused); it passes on the calls for orders"
    assert err.value.hint == "is it running? see `platform status gateway`; start it with `platform start gateway`"
