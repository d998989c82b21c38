"""Forwarding a request to its upstream and its answer back, faithfully and streamed.

Method, path, query, body, status, content type and body pass through unchanged; hop-by-hop
headers (RFC 9110 section 7.6.1) do not. The path goes up percent-encoded again (the upstream
decodes exactly the path the gateway routed and authorised). Each serving thread keeps one keep-alive
connection per upstream (http.client: bench/gateway.py measured requests' per-call overhead, and
urllib3's shared pool as no faster: order detail through the gateway, 6 runs each on a loaded
2-core machine, median 553 req/s (521-591) against these connections' 619 (572-665), p50 26.9 ms
(25.1-28.9) against 23.5 (22.3-25.8); issue 14.9, 2026-12-01, commit cda2542).

An upstream restarting (supervisord brings a crashed one back in a few hundred ms) is waited
for, up to `restart_wait` from its first refusal: a refused connection never carried the
request, so trying again is safe for any method. One refusing for longer (stopped) fails fast
until it accepts again, so it cannot hold every serving thread. A request that may have reached an upstream which then failed is retried
only when its method is idempotent; a POST that got no answer is the client's to judge.
"""

from __future__ import annotations

import http.client
import select
import socket
import threading
import time
from urllib.parse import quote, urlsplit

from flask import Response

from services.common.errors import ApiError
from services.common.owner import OWNER_HEADER

QUERY_SAFE = "&=+%;/?:@!$'()*,~"  # what a query keeps as sent; "%" keeps its escapes escaped
HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
                        "transfer-encoding", "upgrade", "proxy-connection"})
NOT_PASSED = frozenset({"host", "content-length", OWNER_HEADER.lower()})
CHUNK = 64 * 1024
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RECONNECT_S = 0.05


class Proxy:
    def __init__(self, upstreams: dict[str, str], connect_timeout: float, read_timeout: float, restart_wait: float = 0.0):
        self.upstreams = upstreams
        self.timeouts = (connect_timeout, read_timeout)
        self.restart_wait = restart_wait
        self._refused_since: dict[str, float] = {}  # upstream -> when it began refusing connections
        self._local = threading.local()

    def forward(self, service: str, method: str, path: str, query: bytes, headers, body: bytes, request_id: str,
                owner: str | None = None) -> Response:
        """owner: the caller's user id, sent as OWNER_HEADER (a client's own is never passed on)."""
        base = self.upstreams.get(service)
        if base is None:
            raise ApiError(503, "upstream_unavailable", f"{service} has no address (is it in the Procfile?)", service=service)
        target = urlsplit(base).path.rstrip("/") + request_target(path, query)
        outgoing = {k: v for k, v in headers.items() if k.lower() not in HOP_BY_HOP | NOT_PASSED}
        outgoing["X-Request-ID"] = request_id
        if owner is not None:
            outgoing[OWNER_HEADER] = owner
        upstream = self._send(service, base, method, target, outgoing, body)
        self._local.__dict__.setdefault("last", {})[service] = upstream
        back = [(k, v) for k, v in upstream.getheaders() if k.lower() not in HOP_BY_HOP]

        def body_chunks():
            try:
                while chunk := upstream.read(CHUNK):
                    yield chunk
            except (OSError, http.client.HTTPException):
                self._drop(service)  # cut off mid-body: the client sees a short body, not a hang
            finally:
                if not upstream.isclosed():  # the client went away mid-body: the rest is still on the wire
                    self._drop(service)
                upstream.close()

        return Response(body_chunks(), status=upstream.status, headers=back, direct_passthrough=True)

    def _send(self, service: str, base: str, method: str, target: str, headers: dict, body: bytes):
        retried = False
        while True:
            conn, fresh = self._connection(service, base)
            try:
                if fresh:
                    conn.connect()  # apart from the request, so that a refusal is known to have carried none
                    self._refused_since.pop(service, None)
            except ConnectionRefusedError:
                self._drop(service)
                deadline = self._refused_since.setdefault(service, time.monotonic()) + self.restart_wait
                if time.monotonic() + RECONNECT_S > deadline:
                    raise ApiError(503, "upstream_unavailable", f"{service} is not reachable", service=service) from None
                time.sleep(RECONNECT_S)  # restarting, most likely: it listens again within moments
                continue
            except (socket.timeout, TimeoutError, OSError):
                self._drop(service)
                raise ApiError(503, "upstream_unavailable", f"{service} does not answer", service=service) from None
            try:
                conn.request(method, target, body=body or None, headers=headers)
                conn.sock.settimeout(self.timeouts[1])
                return conn.getresponse()
            except (socket.timeout, TimeoutError):
                self._drop(service)
                raise ApiError(504, "upstream_timeout", f"{service} took longer than {self.timeouts[1]:g}s", service=service) from None
            except (ConnectionError, OSError, http.client.HTTPException):
                self._drop(service)
                if retried or method not in IDEMPOTENT:
                    raise ApiError(503, "upstream_unavailable", f"{service} failed before it answered", service=service) from None
                retried = True

    def _connection(self, service: str, base: str) -> tuple[http.client.HTTPConnection, bool]:
        pool = self._local.__dict__.setdefault("conns", {})
        if service in pool:
            last = self._local.__dict__.get("last", {}).pop(service, None)
            # Reused only when its last answer was read to the end (a HEAD's, or one whose client
            # left, may not have been) and the upstream has not closed it while idle (restarted, say).
            if (last is None or last.isclosed()) and not _closed_by_peer(pool[service]):
                return pool[service], False
            if last is not None:
                last.close()
            self._drop(service)
        url = urlsplit(base)
        conn = pool[service] = http.client.HTTPConnection(url.hostname, url.port, timeout=self.timeouts[0])
        return conn, True

    def _drop(self, service: str) -> None:
        conn = self._local.__dict__.get("conns", {}).pop(service, None)
        if conn is not None:
            conn.close()


def _closed_by_peer(conn: http.client.HTTPConnection) -> bool:
    """An idle kept connection is readable only when the peer has closed it (or broken the
    protocol): either way it must not carry a request."""
    return conn.sock is None or bool(select.select([conn.sock], [], [], 0)[0])


def request_target(path: str, query: bytes) -> str:
    """The target as it goes upstream (and in the access log): the path the gateway routed and
    authorised, percent-encoded again so the upstream decodes exactly it, and the query as sent.
    Both are then plain ASCII with no spaces or control characters, whatever the client sent."""
    return quote(path) + ("?" + quote(query, safe=QUERY_SAFE) if query else "")
