"""GET /health: the readiness probe platform runs against every HTTP service."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

bp = Blueprint("health", __name__)


@bp.get("/health")
def health():
    checks = current_app.extensions.get("health_checks", {})
    results = {name: check() for name, check in checks.items()}
    ok = all(results.values())
    return jsonify(status="ok" if ok else "degraded", checks=results), 200 if ok else 503
