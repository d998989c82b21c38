"""Waiting on conditions with deadlines, free ports, local servers and child processes that end
with the test run: shared by every test layer."""

from __future__ import annotations

import collections
import ctypes
import random
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


# The series handed out lately: a test's ports stay ours while it runs; after that many more
# series its processes are long gone, and the space (~12,000 ports) must not run out in a long run.
_HANDED_OUT: collections.deque[range] = collections.deque(maxlen=512)


def _ephemeral_low() -> int:
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def _bindable(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def free_port(span: int = 8) -> int:
    """A free port with the next `span - 1` free too, below the kernel's ephemeral range.

    Why not bind to port 0: the kernel hands that out from the ephemeral range, where every
    outgoing connection (a service's Redis client, a probe) also takes its local port, and
    instances live at port + k - 1: a surge instance at P + 1 then meets "address in use"
    by chance (seen in CI: tts.2 on an even port just taken by a client socket). Below the
    range, only a listener can hold a port, and no recent series is handed out again."""
    top = _ephemeral_low() - span
    low = 20000 if top > 24000 else 2048  # a machine whose ephemeral range starts low
    for _ in range(2000):
        port = random.randrange(low, top)
        series = range(port, port + span)
        if any(port < taken.stop and taken.start < series.stop for taken in _HANDED_OUT) or not all(_bindable(p) for p in series):
            continue
        _HANDED_OUT.append(series)
        return port
    raise AssertionError("no free port series below the ephemeral range")


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
