"""Forwarding a request to its upstream and its answer back, faithfully and streamed.

Method, path, query, body, status, content type and body pass through unchanged; hop-by-hop
headers (RFC 9110 section 7.6.1) do not. Each serving thread keeps one keep-alive connection
per upstream (http.client: bench/gateway.py measured requests' per-call overhead).
"""

from __future__ import annotations

import http.client
import socket
import threading
from urllib.parse import urlsplit

from flask import Response

from services.common.errors import ApiError

HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
                        "transfer-encoding", "upgrade", "proxy-connection"})
CHUNK = 64 * 1024


class Proxy:
    def __init__(self, upstreams: dict[str, str], connect_timeout: float, read_timeout: float):
        self.upstreams = upstreams
        self.timeouts = (connect_timeout, read_timeout)
        self._local = threading.local()

    def forward(self, service: str, method: str, path: str, query: bytes, headers, body: bytes, request_id: str) -> Response:
        base = self.upstreams.get(service)
        if base is None:
            raise ApiError(503, "upstream_unavailable", f"{service} has no address (is it in the Procfile?)", service=service)
        target = urlsplit(base).path.rstrip("/") + path + (("?" + query.decode("latin-1")) if query else "")
        outgoing = {k: v for k, v in headers.items() if k.lower() not in HOP_BY_HOP | {"host", "content-length"}}
        outgoing["X-Request-ID"] = request_id
        upstream = self._send(service, base, method, target, outgoing, body)
        back = [(k, v) for k, v in upstream.getheaders() if k.lower() not in HOP_BY_HOP]

        def body_chunks():
            try:
                while chunk := upstream.read(CHUNK):
                    yield chunk
            except (OSError, http.client.HTTPException):
                self._drop(service)  # cut off mid-body: the client sees a short body, not a hang
            finally:
                upstream.close()

        return Response(body_chunks(), status=upstream.status, headers=back, direct_passthrough=True)

    def _send(self, service: str, base: str, method: str, target: str, headers: dict, body: bytes):
        for attempt in (1, 2):  # a kept connection the upstream has closed meanwhile gets one retry
            conn, fresh = self._connection(service, base)
            try:
                conn.request(method, target, body=body or None, headers=headers)
                conn.sock.settimeout(self.timeouts[1])
                return conn.getresponse()
            except (socket.timeout, TimeoutError):
                connected = conn.sock is not None  # asked before _drop closes it
                self._drop(service)
                if not connected:
                    raise ApiError(503, "upstream_unavailable", f"{service} does not answer", service=service) from None
                raise ApiError(504, "upstream_timeout", f"{service} took longer than {self.timeouts[1]:g}s", service=service) from None
            except (ConnectionError, OSError, http.client.HTTPException):
                self._drop(service)
                if fresh or attempt == 2:
                    raise ApiError(503, "upstream_unavailable", f"{service} is not reachable", service=service) from None
        raise AssertionError("unreachable")

    def _connection(self, service: str, base: str) -> tuple[http.client.HTTPConnection, bool]:
        pool = self._local.__dict__.setdefault("conns", {})
        if service in pool:
            return pool[service], False
        url = urlsplit(base)
        conn = pool[service] = http.client.HTTPConnection(url.hostname, url.port, timeout=self.timeouts[0])
        return conn, True

    def _drop(self, service: str) -> None:
        conn = self._local.__dict__.get("conns", {}).pop(service, None)
        if conn is not None:
            conn.close()
