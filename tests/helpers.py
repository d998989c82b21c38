"""Waiting on conditions with deadlines, free ports, local servers and child processes that end
with the test run: shared by every test layer."""

from __future__ import annotations

import ctypes
import signal
import socket
import sys
import time


def wait_until(condition, timeout: float = 10.0, interval: float = 0.05, what: str = "condition"):
    """Poll `condition` until it returns something truthy; return that, or fail after `timeout` s."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = condition()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:g}s waiting for {what} (last value: {last!r})")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_is_listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


class LocalServer:
    """A real HTTP server on a free 127.0.0.1 port, served from a thread, for a test's stand-ins."""

    def __init__(self, handler, port: int = 0):
        from http.server import ThreadingHTTPServer
        import threading

        handler.log_message = lambda *args: None  # quiet: the tests read what they need
        self.server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def die_with_parent() -> None:
    """In the child: SIGTERM when the test run dies, even killed, so no service outlives it (Linux)."""
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
