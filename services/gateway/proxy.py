"""Forwarding a request to its upstream and its answer back, faithfully and streamed.

Method, path, query, body, status, content type and body pass through unchanged; hop-by-hop
headers (RFC 9110 section 7.6.1) do not. One pooled session per upstream reuses connections.
"""

from __future__ import annotations

import requests
from flask import Response

from services.common.errors import ApiError

HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
                        "transfer-encoding", "upgrade", "proxy-connection"})
CHUNK = 64 * 1024


class Proxy:
    def __init__(self, upstreams: dict[str, str], connect_timeout: float, read_timeout: float):
        self.upstreams = upstreams
        self.timeouts = (connect_timeout, read_timeout)
        self.sessions = {name: requests.Session() for name in upstreams}

    def forward(self, service: str, method: str, path: str, query: bytes, headers, body: bytes, request_id: str) -> Response:
        base = self.upstreams.get(service)
        if base is None:
            raise ApiError(503, "upstream_unavailable", f"{service} has no address (is it in the Procfile?)", service=service)
        url = base.rstrip("/") + path + (("?" + query.decode("latin-1")) if query else "")
        outgoing = {k: v for k, v in headers.items() if k.lower() not in HOP_BY_HOP | {"host", "content-length"}}
        outgoing["X-Request-ID"] = request_id
        try:
            upstream = self.sessions[service].request(method, url, data=body or None, headers=outgoing, stream=True,
                                                      timeout=self.timeouts, allow_redirects=False)
        except requests.exceptions.ConnectTimeout:
            raise ApiError(503, "upstream_unavailable", f"{service} does not answer", service=service) from None
        except requests.exceptions.ReadTimeout:
            raise ApiError(504, "upstream_timeout", f"{service} took longer than {self.timeouts[1]:g}s", service=service) from None
        except requests.exceptions.ConnectionError:
            raise ApiError(503, "upstream_unavailable", f"{service} is not reachable", service=service) from None
        back = [(k, v) for k, v in upstream.raw.headers.items() if k.lower() not in HOP_BY_HOP | {"content-length"}]
        if "content-length" in upstream.headers and "content-encoding" not in upstream.headers:
            back.append(("Content-Length", upstream.headers["content-length"]))

        def body_chunks():
            try:
                yield from upstream.raw.stream(CHUNK, decode_content=False)
            finally:
                upstream.close()

        # The body needs no request context: it is streamed straight from the upstream connection.
        return Response(body_chunks(), status=upstream.status_code, headers=back, direct_passthrough=True)
