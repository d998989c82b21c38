"""The whole platform under fire, with steady traffic through the gateway: a kill storm, a Redis
outage and the loss of supervisord. What was acknowledged must survive all three; what failed,
and why, goes to the suite's summary."""

from __future__ import annotations

import os
import random
import signal
import time
from collections import Counter

import psutil
import pytest

from platform_cli.procman.daemon import Daemon
from tests.e2e.traffic import Traffic, assert_orders_owed, assert_speech_playable, call, delivered_exactly
from tests.helpers import wait_until
from tests.report import report

SERVICES = ("redis", "orders", "delivery", "tts", "gateway")
STORM_S = 60


@pytest.fixture
def traffic(stack):
    """Order creates and speech requests from a signed-up customer, through the gateway."""
    yield from make_traffic(stack)


def make_traffic(stack):
    port = stack.ports["gateway"]
    credentials = {"email": "storm@example.com", "password": "weather it 1"}
    assert call(port, "POST", "/auth/signup", credentials)[0] == 201
    signed_in = call(port, "POST", "/auth/signin", credentials)[1]
    load = Traffic(port, signed_in["user_id"], signed_in["token"])
    wait_until(lambda: load.succeeded["orders"] > 10 and load.succeeded["speech"] > 3, 30, what="traffic flowing")
    yield load
    load.finish()


def wait_all_healthy(project) -> None:
    for name in [*SERVICES, *(n for n in project.status() if n.split(".")[0] in SERVICES and n not in SERVICES)]:
        project.wait_healthy(name, timeout=60)  # instances (orders.2, ...) too


def assert_owed(project, traffic: Traffic, unacked_at_most: int) -> list[str]:
    """Everything acknowledged is stored once and reaches delivery once; every speech URL plays."""
    wait_all_healthy(project)
    orders = assert_orders_owed(project.data, traffic.orders, unacked_at_most)
    wait_until(lambda: delivered_exactly(project.data, orders), 60, what="every stored order in delivery, once")
    assert_speech_playable(traffic)
    return orders


@pytest.mark.slow  # a minute of SIGKILLs: `make test` runs it, `-m 'not slow'` skips it
def test_a_kill_storm_loses_nothing_acknowledged_and_every_process_comes_back(stack, traffic):
    """SIGKILL a random running service process every second for a minute. Only RUNNING ones
    (up for supervisord's startsecs): killing one still starting is a crash loop, which backs off
    and ends FATAL by design (tests/e2e/test_crashes.py)."""
    kill_storm(stack, traffic, "kill storm")


@pytest.fixture
def scaled_stack(project):
    """The stack with 3 instances of orders and of tts (and, stores shared, every guarantee kept)."""
    from tests.e2e.test_instances import write_stack

    write_stack(project, orders={"instances": 3, "liveness": "http:/health/live"}, tts={"instances": 3})
    project.ok("up")
    return project


@pytest.fixture
def scaled_traffic(scaled_stack):
    yield from make_traffic(scaled_stack)


@pytest.mark.slow  # a minute of SIGKILLs: `make test` runs it, `-m 'not slow'` skips it
def test_a_kill_storm_with_3_instances_of_orders_and_tts_keeps_the_same_guarantees(scaled_stack, scaled_traffic):
    assert {"orders.3", "tts.3"} <= set(scaled_stack.status())
    kill_storm(scaled_stack, scaled_traffic, "kill storm, 3 instances of orders and tts")


def kill_storm(stack, traffic, title: str) -> None:
    seed = random.randrange(1 << 32)
    rng, kills = random.Random(seed), Counter()
    client = Daemon(stack.data, stack.root).client()
    began = time.monotonic()
    for second in range(STORM_S):
        running = [p for p in client.processes() if p.state == "RUNNING" and p.pid]
        if running:
            victim = rng.choice(running)
            os.kill(victim.pid, signal.SIGKILL)
            kills[victim.name] += 1
        traffic.stop.wait(max(0.0, began + second + 1 - time.monotonic()))  # the storm's pace, one a second
    traffic.finish()
    report(f"{title}: {sum(kills.values())} SIGKILLs in {STORM_S} s (seed {seed}): "
           + ", ".join(f"{name} {n}" for name, n in sorted(kills.items())), traffic.summary())

    assert sum(kills.values()) >= STORM_S - 5, "the storm kept killing"
    orders_kills = sum(n for name, n in kills.items() if name.split(".")[0] == "orders")
    orders = assert_owed(stack, traffic, unacked_at_most=orders_kills + kills["gateway"])
    wait_until(lambda: all(row["restarts"] >= kills[name] for name, row in stack.status().items()), 10,
               what="every kill counted as a restart")
    assert len(orders) > 300 and len(traffic.speech) == 40, "the traffic kept flowing between the kills"


def test_a_redis_outage_keeps_orders_coming_and_the_cache_recovers(stack, traffic):
    stack.ok("stop", "redis")
    began, before = time.monotonic(), traffic.succeeded["orders"]
    speech_before = set(traffic.speech)
    # Ten seconds down, and orders taken all along (their events wait in the outbox).
    wait_until(lambda: time.monotonic() - began >= 10 and traffic.succeeded["orders"] > before + 100, 30,
               what="ten seconds of orders taken with redis down")
    taken_during = traffic.succeeded["orders"] - before
    stack.ok("start", "redis")
    wait_until(lambda: traffic.succeeded["orders"] > before + taken_during + 20, 30, what="orders after the outage")
    traffic.finish()
    report("redis outage (10 s)", [f"orders taken while redis was down: {taken_during}", *traffic.summary()])

    assert_owed(stack, traffic, unacked_at_most=0)
    # The cache recovered: what was spoken during the outage, and before it, is found again.
    made_during = set(traffic.speech) - speech_before
    for answer in [traffic.speech[i] for i in made_during] or list(traffic.speech.values())[:3]:
        again = traffic.call("POST", "/tts", {"text": answer["text"], "engine": "espeak"})[1]
        assert again["cached"] is True and again["id"] == answer["id"]


def test_the_loss_of_supervisord_is_recovered_by_up_with_no_duplicate_and_nothing_lost(stack, traffic):
    daemon_pid = stack.supervisord_pid()
    old = [psutil.Process(row["pid"]) for row in stack.status().values()]
    daemon = psutil.Process(daemon_pid)
    os.kill(daemon_pid, signal.SIGKILL)
    wait_until(lambda: gone(daemon), 10, what="supervisord gone")
    before = traffic.succeeded["orders"]
    stack.ok("up")
    new = {name: row["pid"] for name, row in stack.status().items()}
    wait_until(lambda: traffic.succeeded["orders"] > before + 20, 30, what="orders after the recovery")
    traffic.finish()
    report("supervisord SIGKILLed, then `platform up`", traffic.summary())

    assert stack.supervisord_pid() not in (None, daemon_pid)
    assert all(gone(proc) for proc in old), "the orphans of the lost daemon are stopped"
    assert sorted(project_processes(stack)) == sorted(new.values()), "one process a service, each the daemon's own"
    assert_owed(stack, traffic, unacked_at_most=2)


def gone(proc: psutil.Process) -> bool:
    """Ended: a zombie counts (nothing may reap orphans here), a new process on its pid does not."""
    try:
        return not proc.is_running() or proc.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def project_processes(project) -> list[int]:
    """Every live service process of the project: run in its folder (redis-server moves into its
    data folder inside it)."""
    found = []
    for proc in psutil.process_iter(["pid", "cwd", "cmdline", "status"]):
        cwd = proc.info["cwd"] or ""
        if (cwd == str(project.root) or cwd.startswith(f"{project.root}/")) and proc.info["status"] != psutil.STATUS_ZOMBIE:
            cmd = " ".join(proc.info["cmdline"] or [])
            if "services." in cmd or "redis-server" in cmd:
                found.append(proc.pid)
    return found
