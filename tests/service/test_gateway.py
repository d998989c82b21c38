"""The gateway's proxy: create_app + test_client in front of small real upstream HTTP servers."""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler

import pytest

from services.gateway import create_app
from services.gateway.routes import route
from tests.helpers import LocalServer, free_port


class Upstream:
    """A real HTTP server that echoes what it got; /slow waits, /audio streams bytes, /drop
    closes the connection unanswered, /once answers and then closes it (no Connection: close)."""

    def __init__(self, port: int = 0):
        seen = self.seen = []
        self.closed = threading.Event()
        closed = self.closed

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                seen.append({"method": self.command, "path": self.path, "headers": dict(self.headers), "body": body.decode()})
                if self.path.startswith("/tts/slow"):
                    time.sleep(2)
                if self.path.startswith("/order-ms/drop"):
                    self.close_connection = True
                    return
                if self.path.startswith("/tts/audio"):
                    data = bytes(range(256)) * 4096  # 1 MiB
                    self.send_response(200)
                    self.send_header("Content-Type", "audio/mpeg")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                out = json.dumps({"method": self.command, "path": self.path, "body": body.decode()}).encode()
                self.send_response(201 if self.command == "POST" else 200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.send_header("Connection", "keep-alive")
                self.send_header("X-Upstream", "yes")
                self.end_headers()
                self.wfile.write(out)
                if self.path.startswith("/order-ms/once"):
                    self.close_connection = True

            def finish(self):
                super().finish()
                if self.close_connection:
                    self.connection.shutdown(socket.SHUT_WR)  # the FIN is out before the test goes on
                    closed.set()

            do_GET = do_POST = do_PUT = do_DELETE = _answer

        self.local = LocalServer(Handler, port)
        self.url = self.local.url

    def close(self):
        self.local.close()


@pytest.fixture
def upstream():
    server = Upstream()
    yield server
    server.close()


def build(tmp_path, **config):
    return create_app({"DATA_DIR": str(tmp_path), **config})


def as_staff(app):
    """A test client signed in as staff, who may reach every route."""
    user = app.extensions["gateway.store"].users.add(f"staff{uuid.uuid4().hex[:6]}@example.com", "correct horse 1", role="staff")
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = "Bearer " + app.extensions["gateway.store"].tokens.issue(user)
    return client


@pytest.fixture
def gateway(upstream, tmp_path):
    app = build(tmp_path, UPSTREAMS={"orders": upstream.url, "delivery": upstream.url, "tts": upstream.url},
                GATEWAY_TIMEOUT=0.5, MAX_CONTENT_LENGTH=1024, GATEWAY_CORS_ORIGINS="https://shop.example")
    return as_staff(app)


@pytest.mark.parametrize("path, service", [("/order-ms/a/orders", "orders"), ("/delivery-ms/received", "delivery"),
                                           ("/tts", "tts"), ("/tts/x.mp3", "tts"), ("/output", "tts"), ("/files/n", "tts"),
                                           ("/ttsx", None), ("/order-ms", None), ("/", None)])
def test_routes(path, service):
    assert route(path) == service


def test_method_path_query_body_and_status_pass_through(gateway, upstream):
    response = gateway.post("/order-ms/alice/orders?x=1&y=%20z", data='{"coffee_name": "latte"}', content_type="application/json")
    assert response.status_code == 201 and response.content_type == "application/json"
    assert response.get_json() == {"method": "POST", "path": "/order-ms/alice/orders?x=1&y=%20z", "body": '{"coffee_name": "latte"}'}
    assert response.headers["X-Upstream"] == "yes" and "Connection" not in response.headers
    sent = upstream.seen[-1]["headers"]
    assert "Proxy-Authorization" not in sent


def test_hop_by_hop_headers_are_not_forwarded(gateway, upstream):
    gateway.get("/tts/x", headers={"Proxy-Authorization": "secret", "TE": "trailers", "X-Custom": "kept"})
    sent = upstream.seen[-1]["headers"]
    assert sent.get("X-Custom") == "kept" and "Proxy-Authorization" not in sent and "TE" not in sent


def test_mp3_downloads_stream_through_unchanged(gateway):
    response = gateway.get("/tts/audio.mp3")
    assert response.status_code == 200 and response.mimetype == "audio/mpeg"
    assert response.data == bytes(range(256)) * 4096


def test_request_ids_are_kept_or_made_and_sent_upstream(gateway, upstream):
    kept = gateway.get("/tts/x", headers={"X-Request-ID": "abc-123"})
    assert kept.headers["X-Request-ID"] == "abc-123" and upstream.seen[-1]["headers"]["X-Request-ID"] == "abc-123"
    made = gateway.get("/tts/x").headers["X-Request-ID"]
    assert len(made) == 32 and upstream.seen[-1]["headers"]["X-Request-ID"] == made


def test_a_down_upstream_is_a_503_and_a_slow_one_a_504(upstream, tmp_path):
    down = as_staff(build(tmp_path / "a", UPSTREAMS={"orders": f"http://127.0.0.1:{free_port()}"}))
    error = down.get("/order-ms/a/orders").get_json()["error"]
    assert (error["code"], error["service"]) == ("upstream_unavailable", "orders")
    slow = as_staff(build(tmp_path / "b", UPSTREAMS={"tts": upstream.url}, GATEWAY_TIMEOUT=0.3))
    response = slow.get("/tts/slow")
    assert response.status_code == 504 and response.get_json()["error"]["service"] == "tts"


def test_an_upstream_restarting_is_waited_for_and_gets_the_request_once(tmp_path):
    port = free_port()
    waiting = as_staff(build(tmp_path / "a", UPSTREAMS={"orders": f"http://127.0.0.1:{port}"}, GATEWAY_RESTART_WAIT=10))
    started = []
    # It comes back while the request waits: supervisord's restart, in miniature.
    threading.Timer(0.3, lambda: started.append(Upstream(port))).start()
    try:
        response = waiting.post("/order-ms/a/orders", json={"coffee_name": "latte"})
        assert response.status_code == 201 and [s["method"] for s in started[0].seen] == ["POST"]
    finally:
        for server in started:
            server.close()
    impatient = as_staff(build(tmp_path / "b", UPSTREAMS={"orders": f"http://127.0.0.1:{free_port()}"}, GATEWAY_RESTART_WAIT=0))
    assert impatient.post("/order-ms/a/orders", json={}).status_code == 503


def test_an_upstream_refusing_for_longer_than_the_wait_fails_fast_until_it_accepts(tmp_path):
    wait_s = 2
    stopped = as_staff(build(tmp_path, UPSTREAMS={"orders": f"http://127.0.0.1:{free_port()}"}, GATEWAY_RESTART_WAIT=wait_s))
    assert stopped.get("/order-ms/a/orders").status_code == 503  # waited up to wait_s for a restart
    began = time.monotonic()
    assert stopped.get("/order-ms/a/orders").status_code == 503
    # Not a speed figure: a request that waited again would take the whole wait_s.
    assert time.monotonic() - began < wait_s / 2, "a stopped upstream does not hold a serving thread on every request"


def test_a_post_that_may_have_reached_a_failing_upstream_is_not_sent_again(gateway, upstream):
    response = gateway.post("/order-ms/drop/orders", json={"coffee_name": "latte"})
    assert response.status_code == 503 and response.get_json()["error"]["service"] == "orders"
    assert len(upstream.seen) == 1, "a POST is never repeated: the first may have been stored"
    assert gateway.get("/order-ms/drop/orders").status_code == 503
    assert len(upstream.seen) == 3, "a GET is tried once more"


def test_a_kept_connection_the_upstream_closed_while_idle_is_not_used(gateway, upstream):
    assert gateway.post("/order-ms/once/orders", json={"n": 1}).status_code == 201
    assert upstream.closed.wait(5), "the upstream closed its side"
    assert gateway.post("/order-ms/once/orders", json={"n": 2}).status_code == 201
    assert [s["body"] for s in upstream.seen] == ['{"n": 1}', '{"n": 2}']


def test_a_body_over_the_limit_is_a_413_before_any_upstream(gateway, upstream):
    response = gateway.post("/order-ms/a/orders", data="x" * 2048, content_type="application/json")
    assert response.status_code == 413 and response.get_json()["error"]["code"] == "request_entity_too_large"
    assert upstream.seen == []


def test_unknown_paths_are_a_404_envelope(gateway):
    response = gateway.get("/nothing/here")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


def test_cors_for_configured_origins_only(gateway):
    allowed = gateway.options("/order-ms/a/orders", headers={"Origin": "https://shop.example", "Access-Control-Request-Method": "POST"})
    assert allowed.headers.get("Access-Control-Allow-Origin") == "https://shop.example"
    other = gateway.get("/tts/x", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


def test_health_and_health_of_every_upstream(upstream, tmp_path):
    app = build(tmp_path, UPSTREAMS={"orders": upstream.url, "tts": f"http://127.0.0.1:{free_port()}"})
    client = app.test_client()  # no token: health is open
    assert client.get("/health").get_json() == {"status": "ok"}
    services = client.get("/health/all").get_json()["services"]
    assert services["orders"]["state"] == "ok" and services["tts"]["state"] == "down"
    assert services["orders"]["latency_ms"] >= 0


# -- access control -------------------------------------------------------------------------------

import jwt  # noqa: E402


@pytest.fixture
def shop(upstream, tmp_path):
    return build(tmp_path, UPSTREAMS={"orders": upstream.url, "delivery": upstream.url, "tts": upstream.url})


def sign_up_in(app, email="alice@example.com", password="a good password 1"):
    client = app.test_client()
    assert client.post("/auth/signup", json={"email": email, "password": password}).status_code == 201
    answer = client.post("/auth/signin", json={"email": email, "password": password}).get_json()
    return answer["user_id"], {"Authorization": f"Bearer {answer['token']}"}


def test_a_customer_reaches_their_own_orders_only(shop):
    user_id, auth = sign_up_in(shop)
    client = shop.test_client()
    assert client.get(f"/order-ms/{user_id}/orders", headers=auth).status_code == 200
    other = client.get("/order-ms/someone-else/orders", headers=auth)
    assert other.status_code == 403 and other.get_json()["error"]["code"] == "forbidden"
    assert client.get(f"/delivery-ms/{user_id}/{uuid.uuid4()}", headers=auth).status_code == 200
    assert client.post("/tts", json={"text": "hi"}, headers=auth).status_code == 201  # what the echo upstream answers


def test_staff_routes_refuse_customers(shop):
    user_id, auth = sign_up_in(shop)
    client = shop.test_client()
    assert client.get("/delivery-ms/received", headers=auth).status_code == 403
    order = f"/delivery-ms/{user_id}/{uuid.uuid4()}"
    assert client.put(order, json={"status": "brewing"}, headers=auth).status_code == 403
    assert client.put(order, json={"status": "cancelled"}, headers=auth).status_code == 200  # a customer may cancel
    assert as_staff(shop).get("/delivery-ms/received").status_code == 200


@pytest.mark.parametrize("make_token", [
    lambda secret, claims: None,  # no token at all
    lambda secret, claims: "not.a.token",
    lambda secret, claims: jwt.encode({**claims, "exp": int(time.time()) - 10}, secret, algorithm="HS256"),  # expired
    lambda secret, claims: jwt.encode(claims, "another secret of enough length!", algorithm="HS256"),  # wrongly signed
    lambda secret, claims: jwt.encode(claims, None, algorithm="none"),  # alg none
    lambda secret, claims: jwt.encode(claims, secret, algorithm="HS512"),  # another algorithm
])
def test_bad_tokens_are_a_401_with_www_authenticate(shop, make_token):
    user_id, _ = sign_up_in(shop)
    claims = {"sub": user_id, "role": "staff", "exp": int(time.time()) + 600}
    token = make_token(shop.extensions["gateway.store"].tokens.secret, claims)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = shop.test_client().get(f"/order-ms/{user_id}/orders", headers=headers)
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_signup_checks_and_signin_refuses_wrong_passwords(shop):
    client = shop.test_client()
    assert client.post("/auth/signup", json={"email": "x@example.com", "password": "short1"}).get_json()["error"]["field"] == "password"
    assert client.post("/auth/signup", json={"email": "x@example.com", "password": "password123"}).status_code == 400
    assert client.post("/auth/signup", json={"email": "nope", "password": "a good password 1"}).get_json()["error"]["field"] == "email"
    sign_up_in(shop, "bob@example.com")
    assert client.post("/auth/signup", json={"email": "Bob@example.com", "password": "a good password 1"}).status_code == 409
    wrong = client.post("/auth/signin", json={"email": "bob@example.com", "password": "a wrong password 1"})
    assert wrong.status_code == 401
    assert client.post("/auth/signup", json={"email": "nobody@example.com", "password": "x"}, headers={}).status_code == 400


def test_the_secret_is_generated_once_kept_0600_and_passwords_are_hashed(shop, tmp_path):
    import os
    import stat

    secret = tmp_path / "gateway" / "jwt.secret"
    assert stat.S_IMODE(os.stat(secret).st_mode) == 0o600 and len(secret.read_text()) > 40
    sign_up_in(shop, "carol@example.com", "carol's password 9")
    stored = "".join(p.read_text() for p in (tmp_path / "gateway" / "users").glob("*.json"))
    assert "carol's password 9" not in stored and "scrypt:" in stored
    again = build(tmp_path, UPSTREAMS={})
    assert again.extensions["gateway.store"].tokens.secret == shop.extensions["gateway.store"].tokens.secret
