"""Refusing a Host we do not serve: the defence against DNS rebinding.

A web page the developer opens can make its own domain resolve to 127.0.0.1 and then read our
answers as same-origin; the one thing it cannot forge is the Host header, which stays its own
domain. So every service and the gateway answer only for loopback names and addresses (any
port) and the names the user lists in PLATFORM_ALLOWED_HOSTS (comma-separated, e.g.
`myhost.local,10.0.0.5`). A request with no Host at all (HTTP/1.0 tools) comes from no browser
and is served.
"""

from __future__ import annotations

import os

from flask import Flask, request

from services.common.errors import ApiError

LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})


def allowed_hosts(environ=os.environ) -> frozenset[str]:
    given = environ.get("PLATFORM_ALLOWED_HOSTS", "")
    return LOOPBACK | {name.strip().lower().rstrip(".") for name in given.split(",") if name.strip()}


def host_name(header: str) -> str | None:
    """The name in a Host header without its port (`[::1]:5000` -> `::1`), or None if malformed."""
    header = header.strip().lower()
    if header.startswith("["):
        name, _, rest = header[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else (None if rest else "")
    else:
        name, _, port = header.partition(":") if header.count(":") <= 1 else ("", "", "")
    if not name or port is None or (port and not port.isdigit()):
        return None
    return name.rstrip(".")


def init_app(app: Flask, environ=os.environ) -> None:
    allowed = allowed_hosts(environ)

    @app.before_request
    def check_host():
        header = request.headers.get("Host")
        if header is None:
            return
        if host_name(header) not in allowed:
            raise ApiError(421, "host_not_allowed", "this server answers only for localhost: add the name to "
                           "PLATFORM_ALLOWED_HOSTS to reach it by another")
