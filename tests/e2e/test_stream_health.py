"""A service whose event consumer has lost Redis shows as unhealthy in `platform status` (exit 3)
once past STREAM_FAILING_AFTER_S, and healthy again when Redis is back: the /health 503 chosen in
services/common/streams.py, read by the CLI's own readiness probe."""

from __future__ import annotations

import json

from tests.helpers import wait_until


def test_status_exits_3_while_a_service_cannot_reach_redis(project):
    project.write(
        {"redis": "python -m services.redis", "orders": "python -m services.orders"},
        {"redis": {"probe": "redis"}, "orders": {"probe": "http:/health", "depends_on": ["redis"]}},
        env="STREAM_FAILING_AFTER_S=1\n",
    )
    project.ok("up")
    wait_until(lambda: project.run("status").returncode == 0, what="all healthy")
    project.ok("stop", "redis")

    def orders_unhealthy():
        result = project.run("status", "--json")
        row = {r["name"]: r for r in json.loads(result.stdout)}["orders"]
        return result.returncode == 3 and row["state"] == "RUNNING" and row["health"]["detail"] == "HTTP 503" and row

    wait_until(orders_unhealthy, 30, what="orders RUNNING but unhealthy (HTTP 503)")
    project.ok("start", "redis")
    wait_until(lambda: project.run("status").returncode == 0, 30, what="orders healthy again once Redis is back")
