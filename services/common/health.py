"""GET /health: the readiness probe platform runs against every HTTP service; GET /health/live:
its liveness probe.

A check returns a bool, or a dict {"ok": bool, "failing": {...}} for a part that can fail for a
while (a stream worker): what is failing is listed even while still ok, and any check not ok
makes the answer a 503, which `platform up` waits on and `platform status` shows as unhealthy.

/health/live answers only for what a restart can mend (`liveness_checks`: a worker thread that
died). A stream worker that cannot reach Redis fails /health, but restarting the service would
not bring Redis back: a liveness probe on /health would have the daemon's watchdog restart it in
a loop for as long as Redis is away (platform.toml: `liveness = "http:/health/live"`).
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


@bp.get("/health/live")
def live():
    checks = current_app.extensions.get("liveness_checks", {})
    passed = {name: bool(check()) for name, check in checks.items()}
    ok = all(passed.values())
    return jsonify(status="ok" if ok else "dead", checks=passed), 200 if ok else 503


def watch_threads(app, threads) -> None:
    """/health and /health/live fail once one of `threads` (a service's background workers) has
    died: its events would silently stop, and a restart mends that."""
    def alive() -> bool:
        return all(t.is_alive() for t in threads)

    app.extensions.setdefault("health_checks", {})["workers"] = alive
    app.extensions.setdefault("liveness_checks", {})["workers"] = alive
