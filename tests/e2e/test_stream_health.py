"""A service whose event consumer has lost Redis shows as unhealthy in `platform status` (exit 3)
once past STREAM_FAILING_AFTER_S, and healthy again when Redis is back: the /health 503 chosen in
services/common/streams.py, read by the CLI's own readiness probe."""

from __future__ import annotations

import json

from platform_cli.procman.samples import read_samples
from tests.helpers import wait_until


def test_status_exits_3_while_a_service_cannot_reach_redis(project):
    project.write(
        {"redis": "python -m services.redis", "orders": "python -m services.orders"},
        # As the repo's platform.toml: liveness on /health/live, so the watchdog (probing fast here)
        # must not restart orders for an outage a restart does not mend.
        {"redis": {"probe": "redis"}, "orders": {"probe": "http:/health", "liveness": "http:/health/live", "depends_on": ["redis"],
                                                 "probe_interval": 0.5, "probe_timeout": 0.5, "liveness_threshold": 3}},
        env="STREAM_FAILING_AFTER_S=1\n",
    )
    project.ok("up")
    wait_until(lambda: project.run("status").returncode == 0, what="all healthy")
    project.ok("stop", "redis")

    def orders_unhealthy():
        result = project.run("status", "--json")
        row = {r["name"]: r for r in json.loads(result.stdout)}["orders"]
        return result.returncode == 3 and row["state"] == "RUNNING" and row["health"]["detail"] == "HTTP 503" and row

    before = wait_until(orders_unhealthy, 30, what="orders RUNNING but unhealthy (HTTP 503)")
    # Well past liveness_threshold failed readiness probes in a row: still the same process.
    wait_until(lambda: (read_samples(project.data).get("orders") or {}).get("failures", 0) >= 6, 15,
               what="six failed readiness probes of the watchdog's")
    assert [e for e in project.events("orders") if e["to"] == "RESTARTING"] == []
    assert project.status()["orders"]["pid"] == before["pid"]
    project.ok("start", "redis")
    wait_until(lambda: project.run("status").returncode == 0, 30, what="orders healthy again once Redis is back")
