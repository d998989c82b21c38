"""GET /health is answered while every waitress thread is busy (services/common/healthlane.py).

The server is built as every service builds it (services/common/server.py's make_server), so the
lane is tested together with the hooks there and the app's Host check: a probe on the lane is
still a request like any other.
"""

from __future__ import annotations

import http.client
import threading
import time

from flask import Flask
from services.common import errors, health, hosts
from services.common.server import make_server
from tests.helpers import free_port


def test_health_is_answered_while_every_worker_thread_is_busy():
    release = threading.Event()
    app = _busy_app(release)
    port = free_port()
    srv = make_server(app, host="127.0.0.1", port=port, threads=2, ident=app.name)
    threading.Thread(target=srv.run, daemon=True).start()
    conns = [http.client.HTTPConnection("127.0.0.1", port, timeout=30) for _ in range(4)]
    try:
        for conn in conns:  # two hold both workers, two more wait in the queue
            conn.request("GET", "/work")
        probe = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        started = time.perf_counter()
        probe.request("GET", "/health")
        response = probe.getresponse()
        took = time.perf_counter() - started
        assert response.status == 200 and b'"status":"ok"' in response.read().replace(b" ", b"")
        assert took < 0.5, took
        # The lane goes through the app: a Host it does not serve is still refused there.
        rebound = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        rebound.request("GET", "/health", headers={"Host": "evil.example"})
        refused = rebound.getresponse()
        assert refused.status == 421 and b"host_not_allowed" in refused.read()
        # The same kept-alive connection can then send work: it goes back to the work pool.
        probe.request("GET", "/work")
        release.set()
        assert probe.getresponse().read() == b"done"
        assert all(conn.getresponse().read() == b"done" for conn in conns)
    finally:
        release.set()
        srv.close()


def test_a_malformed_request_is_answered_400_and_the_server_keeps_serving():
    import socket

    app = _busy_app(threading.Event())
    port = free_port()
    srv = make_server(app, host="127.0.0.1", port=port, threads=2, ident=app.name)
    threading.Thread(target=srv.run, daemon=True).start()
    try:
        for raw in (b"GET /health?\x80 HTTP/1.1\r\nHost: x\r\nBad\x00Header: 1\r\n\r\n", b"\x00\x01 nonsense\r\n\r\n"):
            with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
                sock.sendall(raw)
                assert sock.recv(100).split(b"\r\n")[0].endswith(b" 400 Bad Request")
        probe = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        probe.request("GET", "/health")
        assert probe.getresponse().status == 200
    finally:
        srv.close()


def test_the_servers_own_refusals_hold_for_health_too():
    """Content-Length with Transfer-Encoding, and a body over the limit, are refused before /health is routed."""
    import json
    import socket

    app = _busy_app(threading.Event())
    app.config["MAX_CONTENT_LENGTH"] = 100
    port = free_port()
    srv = make_server(app, host="127.0.0.1", port=port, threads=2, ident=app.name)
    threading.Thread(target=srv.run, daemon=True).start()
    smuggled = b"GET /health HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
    too_big = b"GET /health HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n\r\n"
    try:
        for raw, status, code in ((smuggled, 400, "bad_request"), (too_big, 413, "request_entity_too_large")):
            with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
                sock.sendall(raw)
                answer = b""
                while chunk := sock.recv(4096):  # waitress closes the connection after its own error
                    answer += chunk
            head, _, body = answer.partition(b"\r\n\r\n")
            assert head.split(b"\r\n")[0].split(b" ")[1] == str(status).encode(), head
            assert json.loads(body)["error"]["code"] == code
    finally:
        srv.close()


def _busy_app(release: threading.Event) -> Flask:
    app = Flask("busy")
    app.register_blueprint(health.bp)
    errors.init_app(app)
    hosts.init_app(app, environ={})
    app.get("/work")(lambda: (release.wait(30), "done")[1])
    return app
