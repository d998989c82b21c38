"""GET /health is answered while every waitress thread is busy (services/common/healthlane.py)."""

from __future__ import annotations

import http.client
import threading
import time

from flask import Flask
from waitress import create_server

from services.common import health
from services.common.healthlane import HealthLaneDispatcher
from tests.helpers import free_port


def test_health_is_answered_while_every_worker_thread_is_busy():
    release = threading.Event()
    app = Flask("busy")
    app.register_blueprint(health.bp)
    app.get("/work")(lambda: (release.wait(30), "done")[1])
    port = free_port()
    srv = create_server(app, host="127.0.0.1", port=port, threads=2, _dispatcher=HealthLaneDispatcher(2))
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

    app = Flask("plain")
    app.register_blueprint(health.bp)
    port = free_port()
    srv = create_server(app, host="127.0.0.1", port=port, threads=2, _dispatcher=HealthLaneDispatcher(2))
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
