"""The Host check, as every service does it: answer only for loopback names and those listed in
PLATFORM_ALLOWED_HOSTS (the defence against DNS rebinding).

The services' own (services/common/hosts.py) cannot be imported here: platform_cli and services
never import each other. The rule is five lines, so it is written again rather than moved into a
third package both would depend on; tests/unit/test_dashboard_hosts.py checks both agree.
"""

from __future__ import annotations

import os

from flask import Flask, request

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


def init_app(app: Flask, allowed: frozenset[str]) -> None:
    from platform_cli.dashboard.errors import DashboardError

    @app.before_request
    def check_host():
        header = request.headers.get("Host")
        if header is not None and host_name(header) not in allowed:
            raise DashboardError(421, "host_not_allowed", "this server answers only for localhost: add the name to "
                                 "PLATFORM_ALLOWED_HOSTS to reach it by another")
