"""Instances behind the gateway under steady traffic: scaling up and down, and reloading, fail no
request; every acknowledged order is stored once and delivered once."""

from __future__ import annotations

import random
import socket
import time
from pathlib import Path


from tests.e2e.traffic import Traffic, assert_orders_owed, call, delivered_exactly
from tests.helpers import wait_until
from tests.report import report

LOAD_S = 20


def free_block(size: int) -> int:
    """A port with the `size - 1` after it free too: instance k listens on port + k - 1. Below
    the kernel's ephemeral range, where the traffic's own client sockets would take ports."""
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    rng = random.Random()
    for _ in range(200):
        base = rng.randrange(max(1024, low - 12000), low - size)
        held = []
        try:
            for port in range(base, base + size):
                sock = socket.socket()
                held.append(sock)
                sock.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for sock in held:
                sock.close()
    raise AssertionError("no block of free ports")


def write_stack(project, orders: dict | None = None, tts: dict | None = None):
    project.write(
        {"redis": "python -m services.redis", "orders": "python -m services.orders", "delivery": "python -m services.delivery",
         "tts": "python -m services.tts", "gateway": "python -m services.gateway"},
        {"redis": {"probe": "redis", "password": True},
         "orders": {"probe": "http:/health", "depends_on": ["redis"], "port": free_block(4), **(orders or {})},
         "delivery": {"probe": "http:/health", "depends_on": ["redis"], "port": free_block(4)},
         "tts": {"probe": "http:/health", "depends_on": ["redis"], "port": free_block(4), **(tts or {})},
         "gateway": {"probe": "http:/health", "depends_on": ["orders", "delivery", "tts"]}},
        env="GTTS_TIMEOUT=1\n",
    )


def start_traffic(project) -> Traffic:
    port = project.ports["gateway"]
    credentials = {"email": "steady@example.com", "password": "steady as she goes 1"}
    assert call(port, "POST", "/auth/signup", credentials)[0] == 201
    signed_in = call(port, "POST", "/auth/signin", credentials)[1]
    load = Traffic(port, signed_in["user_id"], signed_in["token"], reads=True)  # creates, reads and speech
    wait_until(lambda: load.succeeded["orders"] > 10, 30, what="traffic flowing")
    return load


def assert_all_owed(project, traffic: Traffic) -> None:
    assert not traffic.failures, traffic.summary()
    orders = assert_orders_owed(project.data, traffic.orders, unacked_at_most=0)
    wait_until(lambda: delivered_exactly(project.data, orders), 60, what="every stored order in delivery, once")


def served_by(project) -> set[str]:
    return {name for name, row in project.status("orders").items() if row["pid"]}


def test_scale_orders_to_3_and_back_to_1_under_traffic_fails_no_request(project):
    write_stack(project)
    project.ok("up")
    traffic = start_traffic(project)
    began = time.monotonic()
    project.ok("scale", "orders=3")
    assert served_by(project) == {"orders", "orders.2", "orders.3"}
    registry = (project.data / "registry.json").read_text()
    assert registry.count('"ready"') >= 5  # orders x3, delivery, tts (and the gateway itself)
    before = traffic.succeeded["orders"]
    wait_until(lambda: traffic.succeeded["orders"] > before + 50, 30, what="orders served by 3 instances")
    logs = project.ok("logs", "-n", "50", "orders", "--no-color").stdout  # `orders` shows every instance
    assert "orders.2 |" in logs and "orders.3 |" in logs
    project.ok("scale", "orders=1")
    assert served_by(project) == {"orders"}
    traffic.stop.wait(max(0.0, LOAD_S - (time.monotonic() - began)))
    traffic.finish()
    report("scale orders=3 then =1 under traffic", traffic.summary())
    assert_all_owed(project, traffic)


BOOT = "import runpy\nrunpy.run_module('services.orders', run_name='__main__')\n"


def pids(project, name: str) -> dict[str, int]:
    return {n: row["pid"] for n, row in project.status(name).items() if row["pid"]}


def test_reload_orders_with_3_instances_under_traffic_fails_no_request(project):
    (project.root / "boot_orders.py").write_text(BOOT)
    write_stack(project, orders={"instances": 3})
    (project.root / "Procfile").write_text((project.root / "Procfile").read_text().replace(
        "orders: python -m services.orders", "orders: python boot_orders.py"))
    project.ok("up")
    before = pids(project, "orders")
    assert set(before) == {"orders", "orders.2", "orders.3"}
    traffic = start_traffic(project)
    began = time.monotonic()
    result = project.ok("reload", "orders")
    took = time.monotonic() - began
    after = pids(project, "orders")
    assert set(after) == set(before) and not set(after.values()) & set(before.values()), "every instance replaced"
    assert "orders.4" in result.stdout  # the surge, gone again
    traffic.stop.wait(max(0.0, LOAD_S - (time.monotonic() - began)))
    traffic.finish()
    report(f"reload orders (3 instances) under traffic: took {took:.1f} s", traffic.summary())
    assert_all_owed(project, traffic)


def test_a_reload_whose_new_code_cannot_start_rolls_back_and_fails_no_request(project):
    (project.root / "boot_orders.py").write_text(BOOT)
    write_stack(project, orders={"instances": 2, "start_timeout": 5, "retries": 1})
    (project.root / "Procfile").write_text((project.root / "Procfile").read_text().replace(
        "orders: python -m services.orders", "orders: python boot_orders.py"))
    project.ok("up")
    before = pids(project, "orders")
    traffic = start_traffic(project)
    (project.root / "boot_orders.py").write_text("import sys\nprint('broken on purpose', flush=True)\nsys.exit(3)\n")
    result = project.run("reload", "orders", timeout=120)
    assert result.returncode == 5, result.stdout + result.stderr
    assert "error: reload of orders rolled back: orders.3" in result.stderr
    assert "broken on purpose" in result.stderr  # its last log lines
    assert pids(project, "orders") == before, "the old instances kept serving, untouched"
    assert "orders.3" not in (project.data / "registry.json").read_text()
    wait_until(lambda: traffic.succeeded["orders"] > 20, 20, what="orders still served")
    traffic.finish()
    report("reload of orders whose new code exits at once", traffic.summary())
    assert_all_owed(project, traffic)


def test_watch_mode_keeps_the_old_instance_serving_through_a_broken_edit_and_the_fix_reloads_it(project):
    import subprocess
    import sys

    from tests.e2e.conftest import Background

    app = project.root / "app"
    app.mkdir()
    (app / "boot_orders.py").write_text(BOOT)
    write_stack(project, orders={"watch": ["app"], "start_timeout": 8})
    (project.root / "Procfile").write_text((project.root / "Procfile").read_text().replace(
        "orders: python -m services.orders", "orders: python app/boot_orders.py"))
    proc = subprocess.Popen([sys.executable, "-m", "platform_cli", "up", "--watch"], cwd=project.root, env=project.environ(),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace")
    project.background.append(proc)
    watcher = Background(proc)
    watcher.wait_for(lambda lines: any("Ctrl-C stops watching" in line for line in lines), 90, what="watching")
    follower = project.spawn("logs", "-f", "orders", "--no-color")
    before = pids(project, "orders")
    traffic = start_traffic(project)

    (app / "boot_orders.py").write_text(BOOT + "def broken(:\n")  # a syntax error
    watcher.wait_for(lambda lines: any("error: reload of orders rolled back" in line for line in lines), 60, what="the rollback")
    assert pids(project, "orders") == before, "the old instance kept serving"
    status = project.run("status")
    assert status.returncode == 3 and "orders: reload failed" in status.stdout and "SyntaxError" in status.stdout
    assert any(e.get("to") == "RELOAD_FAILED" for e in project.events("orders"))
    follower.wait_for(lambda lines: any("orders reload failed" in line for line in lines), 10, what="logs -f shows it")

    (app / "boot_orders.py").write_text(BOOT)  # the fix
    try:
        watcher.wait_for(lambda lines: any("orders: reloaded" in line for line in lines), 60, what="the fix reloaded")
    except AssertionError:
        raise AssertionError("\n".join(watcher.lines[-40:])) from None
    after = pids(project, "orders")
    assert set(after) == {"orders"} and after["orders"] != before["orders"]
    assert project.run("status").returncode == 0
    traffic.finish()
    watcher.stop()
    follower.stop()
    report("watch mode: a broken edit, then its fix, under traffic", traffic.summary())
    assert_all_owed(project, traffic)


def test_up_after_a_settings_change_replaces_a_service_behind_the_gateway_without_a_failed_request(project):
    write_stack(project, orders={"instances": 2})
    project.ok("up")
    before = pids(project, "orders")
    traffic = start_traffic(project)
    toml = project.root / "platform.toml"
    toml.write_text(toml.read_text().replace("[orders]\n", "[orders]\nstop_timeout = 9\n"))
    out = project.ok("up").stdout
    assert "orders: its config changed: rolling reload" in out and "orders: settings changed (stop_timeout), restarting" in out, out
    after = pids(project, "orders")
    assert set(after) == {"orders", "orders.2"} and not set(after.values()) & set(before.values())
    wait_until(lambda: traffic.succeeded["orders"] > 50, 20, what="orders flowing")
    traffic.finish()
    report("up after a settings change of orders (2 instances), under traffic", traffic.summary())
    assert_all_owed(project, traffic)
