"""Which service answers which path: the gateway's routing table, as data, in one place."""

from __future__ import annotations

import os

# (path prefix, service). A prefix ending in "/" matches below it; one without also matches itself.
ROUTES = (
    ("/order-ms/", "orders"),
    ("/delivery-ms/", "delivery"),
    ("/tts", "tts"),
    ("/output", "tts"),
    ("/files/", "tts"),
)
SERVICES = tuple(dict.fromkeys(service for _, service in ROUTES))


def route(path: str) -> str | None:
    """The service for a request path, or None."""
    for prefix, service in ROUTES:
        if path.startswith(prefix) if prefix.endswith("/") else (path == prefix or path.startswith(prefix + "/")):
            return service
    return None


def upstreams_from(environ=os.environ) -> dict[str, str]:
    """Each service's address, as platform gives every process (<NAME>_URL): never hard-coded."""
    return {s: environ[f"{s.upper()}_URL"] for s in SERVICES if environ.get(f"{s.upper()}_URL")}
