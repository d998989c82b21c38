"""The gateway balances over a service's ready instances, as the platform's registry lists them
(registry.json in its data dir), and learns of changes to it without a restart."""

from __future__ import annotations

import json
import os

from tests.helpers import free_port, wait_until
from tests.service.test_gateway import Upstream, as_staff, build


def write_registry(tmp_path, instances):
    path = tmp_path / "registry.json"
    tmp = tmp_path / ".registry.tmp"
    tmp.write_text(json.dumps({"version": 1, "services": {"orders": instances}}))
    os.replace(tmp, path)


def served_by(client, ups, count=6):
    before = [len(u.seen) for u in ups]
    for _ in range(count):
        assert client.get("/order-ms/x").status_code == 200
    return [len(u.seen) - b for u, b in zip(ups, before, strict=True)]


def test_requests_go_round_robin_over_ready_instances_only(tmp_path):
    ups = [Upstream() for _ in range(3)]
    try:
        write_registry(tmp_path, [{"name": "orders", "url": ups[0].url, "state": "ready"},
                                  {"name": "orders.2", "url": ups[1].url, "state": "ready"},
                                  {"name": "orders.3", "url": ups[2].url, "state": "draining"}])
        client = as_staff(build(tmp_path, UPSTREAMS={"orders": ups[0].url}))
        assert served_by(client, ups) == [3, 3, 0]
    finally:
        for u in ups:
            u.close()


def test_a_draining_instance_gets_nothing_new_once_the_registry_says_so(tmp_path):
    ups = [Upstream() for _ in range(2)]
    try:
        listing = [{"name": "orders", "url": ups[0].url, "state": "ready"}, {"name": "orders.2", "url": ups[1].url, "state": "ready"}]
        write_registry(tmp_path, listing)
        client = as_staff(build(tmp_path, UPSTREAMS={"orders": ups[0].url}))
        assert served_by(client, ups) == [3, 3]
        listing[0]["state"] = "draining"
        write_registry(tmp_path, listing)
        wait_until(lambda: served_by(client, ups, 2) == [0, 2], timeout=5, what="orders drained")
        assert served_by(client, ups) == [0, 6]
        write_registry(tmp_path, listing[1:] + [{"name": "orders.3", "url": ups[0].url, "state": "ready"}])
        wait_until(lambda: served_by(client, ups, 2) == [1, 1], timeout=5, what="a new instance in rotation")
    finally:
        for u in ups:
            u.close()


def test_an_instance_refusing_connections_is_passed_over_at_once(tmp_path):
    up = Upstream()
    try:
        gone = f"http://127.0.0.1:{free_port()}"
        write_registry(tmp_path, [{"name": "orders", "url": gone, "state": "ready"}, {"name": "orders.2", "url": up.url, "state": "ready"}])
        client = as_staff(build(tmp_path, UPSTREAMS={"orders": gone}, GATEWAY_RESTART_WAIT=0))
        for _ in range(4):  # POST too: a refused connection never carried the request
            assert client.post("/order-ms/x", data="{}", content_type="application/json").status_code == 201
        assert len(up.seen) == 4
    finally:
        up.close()


def test_without_a_registry_the_address_from_the_environment_serves(tmp_path):
    up = Upstream()
    try:
        client = as_staff(build(tmp_path, UPSTREAMS={"orders": up.url}))
        assert client.get("/order-ms/x").status_code == 200 and len(up.seen) == 1
    finally:
        up.close()


def test_an_instance_the_watchdog_sees_failing_gets_no_request_while_another_is_healthy(tmp_path):
    ups = [Upstream() for _ in range(2)]
    try:
        write_registry(tmp_path, [{"name": "orders", "url": ups[0].url, "state": "ready"},
                                  {"name": "orders.2", "url": ups[1].url, "state": "ready"}])
        (tmp_path / "supervisor").mkdir()
        samples = {"orders": {"health": {"status": "ok"}}, "orders.2": {"health": {"status": "failing"}}}
        (tmp_path / "supervisor" / "samples.json").write_text(json.dumps({"written_at": 0, "processes": samples}))
        client = as_staff(build(tmp_path, UPSTREAMS={"orders": ups[0].url}))
        assert served_by(client, ups) == [6, 0]
        samples["orders"]["health"]["status"] = "failing"  # both failing: better a slow answer than none
        tmp = tmp_path / "supervisor" / ".samples.tmp"
        tmp.write_text(json.dumps({"written_at": 1, "processes": samples}))
        os.replace(tmp, tmp_path / "supervisor" / "samples.json")
        wait_until(lambda: served_by(client, ups, 2) == [1, 1], timeout=5, what="both tried again")
    finally:
        for u in ups:
            u.close()
