"""GET /health: the readiness probe platform runs against every HTTP service.

A check returns a bool, or a dict {"ok": bool, "failing": {...}} for a part that can fail for a
while (a stream worker): what is failing is listed even while still ok, and any check not ok
makes the answer a 503, which `platform up` waits on and `platform status` shows as unhealthy.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

bp = Blueprint("health", __name__)


@bp.get("/health")
def health():
    checks = current_app.extensions.get("health_checks", {})
    results = {name: check() for name, check in checks.items()}
    passed = {name: bool(result["ok"] if isinstance(result, dict) else result) for name, result in results.items()}
    failing = {name: result["failing"] for name, result in results.items() if isinstance(result, dict) and "failing" in result}
    ok = all(passed.values())
    body = {"status": "ok" if ok else "degraded", "checks": passed, **({"failing": failing} if failing else {})}
    return jsonify(body), 200 if ok else 503
