"""The gateway's /health (it is up: the platform's readiness probe) and /health/all (each upstream's).

Both are open. Where each service listens is for staff only: a page or a stranger learns from it
which ports to try behind the gateway's back.
"""

from __future__ import annotations

import http.client
import time
from urllib.parse import urlsplit

from flask import Blueprint, jsonify

from services.common.errors import ApiError
from services.gateway.auth_api import signed_in
from services.gateway.parts import current

bp = Blueprint("health", __name__)


@bp.get("/health")
def health():
    return jsonify(status="ok")


@bp.get("/health/all")
def health_all():
    try:
        staff = signed_in()["role"] == "staff"
    except ApiError:
        staff = False
    found = probe_all(current().proxy)
    if not staff:
        found = {service: {k: v for k, v in seen.items() if k != "url"} for service, seen in found.items()}
    return jsonify(status="ok", services=found)


def probe_all(proxy) -> dict:
    """Each upstream's GET /health, one at a time on a fresh connection: its state and latency."""
    found = {}
    for service, base in proxy.upstreams.items():
        url = urlsplit(base)
        started = time.perf_counter()
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=proxy.timeouts[0])
        try:
            conn.request("GET", url.path.rstrip("/") + "/health")
            status = conn.getresponse().status
            state = "ok" if status == 200 else f"HTTP {status}"
        except ConnectionRefusedError:
            state = "down"
        except (OSError, http.client.HTTPException) as exc:
            state = type(exc).__name__
        finally:
            conn.close()
        found[service] = {"state": state, "latency_ms": round((time.perf_counter() - started) * 1000, 2), "url": base}
    return found
