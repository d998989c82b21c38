"""`python -m bench.reload`: requests failed while a service is reloaded under load, and how long
the reload takes — platform's rolling reload beside PM2's `reload` of the same Flask service in
fork mode (where reload is a restart), in the same run.

Each round, for each of orders, delivery and tts: LOAD_THREADS clients send GETs that reach that
service as fast as it answers (platform: through the gateway, with a customer's token, the
service running `--instances` instances; PM2: at the service's own port, one process, as fork
mode runs it — PM2 has no balancer outside cluster mode, which Python cannot use). The reload
starts after WARM_S of load and the load goes on for AFTER_S once it is done. A request failed
when it got no answer or a 5xx; each client paces itself (PACE_S), so the count follows the
outage's length; the longest gap between two answered requests is shown beside it. Duration: from issuing the command until it returned and the
service answered /health from its new process(es) — `pm2 reload` returns before that.
Figures are medians with min–max over the rounds; a difference inside the spread is a tie.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

from bench.measure import healthy
from tests.helpers import wait_until

ROOT = Path(__file__).resolve().parents[1]
SERVICES = ("orders", "delivery", "tts")
LOAD_THREADS = 4
PACE_S = 0.01  # between one client's requests: ~400 requests/s in all, so a refusal is not counted thousands of times
WARM_S, AFTER_S = 1.0, 1.0
BASE_PORT = 21000  # below the kernel's ephemeral range: the load's client sockets take ports there


def paths(user_id: str) -> dict[str, str]:
    """A GET each service answers itself (a 4xx is an answer too)."""
    return {"orders": f"/order-ms/{user_id}/orders", "delivery": f"/delivery-ms/{user_id}/00000000-0000-4000-8000-000000000000",
            "tts": "/tts/voices"}


class Load:
    """LOAD_THREADS keep-alive clients in a loop; counts sent and failed (no answer, or 5xx)."""

    def __init__(self, port: int, path: str, headers: dict[str, str]):
        self.port, self.path, self.headers = port, path, headers
        self.sent = self.failed = 0
        self.last_ok = time.perf_counter()
        self.gap = 0.0  # the longest time without an answered request
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._loop, daemon=True) for _ in range(LOAD_THREADS)]
        for thread in self.threads:
            thread.start()

    def _loop(self) -> None:
        conn = None
        while not self.stop.is_set():
            ok = False
            try:
                conn = conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                conn.request("GET", self.path, headers=self.headers)
                response = conn.getresponse()
                response.read()
                ok = response.status < 500
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = None
            with self.lock:
                self.sent += 1
                self.failed += not ok
                if ok:
                    now = time.perf_counter()
                    self.gap, self.last_ok = max(self.gap, now - self.last_ok), now
            self.stop.wait(PACE_S)

    def finish(self) -> tuple[int, int, float]:
        self.stop.set()
        for thread in self.threads:
            thread.join(15)
        return self.sent, self.failed, self.gap


def _measure(port: int, path: str, headers: dict, reload_command: list[str], env: dict, cwd: Path, ready) -> tuple:
    """(sent, failed, reload duration, longest gap without an answer)"""
    load = Load(port, path, headers)
    time.sleep(WARM_S)  # load before the reload: a benchmark's pacing, not a synchronisation
    began = time.perf_counter()
    result = subprocess.run(reload_command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        load.finish()
        raise SystemExit(f"{' '.join(reload_command)} exited {result.returncode}: {result.stderr[-2000:]}")
    wait_until(ready, 60, interval=0.01, what="the reloaded service answering")
    took = time.perf_counter() - began
    time.sleep(AFTER_S)
    sent, failed, gap = load.finish()
    return sent, failed, took, gap


# -- platform ---------------------------------------------------------------------------------------

def platform_round(work: Path, instances: int) -> dict[str, tuple]:
    project = work / "platform"
    project.mkdir()
    (project / "Procfile").write_text("".join(f"{n}: python -m services.{n}\n" for n in ("redis", *SERVICES, "gateway")))
    table = {"redis": {"probe": "redis"}, "gateway": {"probe": "http:/health", "depends_on": list(SERVICES)},
             **{n: {"probe": "http:/health", "depends_on": ["redis"], "instances": instances} for n in SERVICES}}
    (project / "platform.toml").write_text("\n".join(f"[{n}]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in t.items())
                                                   for n, t in table.items()))
    env = {**os.environ, "PLATFORM_BASE_PORT": str(BASE_PORT), "PYTHONPATH": str(ROOT), "XDG_CONFIG_HOME": str(work / "cfg")}
    platform = [sys.executable, "-m", "platform_cli"]
    subprocess.run([*platform, "up"], cwd=project, env=env, check=True, capture_output=True, timeout=300)
    try:
        gateway = BASE_PORT + 400
        headers, user_id = _sign_in(gateway)
        found = {}
        for name in SERVICES:
            def ready(name=name):
                rows = json.loads(subprocess.run([*platform, "status", "--json", name], cwd=project, env=env,
                                                 capture_output=True, text=True).stdout or "[]")
                return len(rows) == instances and all(r["health"]["status"] == "ok" for r in rows)
            found[name] = _measure(gateway, paths(user_id)[name], headers, [*platform, "reload", name], env, project, ready)
        return found
    finally:
        subprocess.run([*platform, "down"], cwd=project, env=env, capture_output=True, timeout=300)


def _sign_in(port: int) -> tuple[dict[str, str], str]:
    credentials = json.dumps({"email": "bench@example.com", "password": "a bench password 1"})
    for path in ("/auth/signup", "/auth/signin"):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("POST", path, body=credentials, headers={"Content-Type": "application/json"})
        answer = json.loads(conn.getresponse().read())
        conn.close()
    return {"Authorization": f"Bearer {answer['token']}"}, answer["user_id"]


# -- PM2 --------------------------------------------------------------------------------------------

def pm2_round(work: Path, pm2) -> dict[str, tuple]:
    ports = {"redis": BASE_PORT + 1000, **{n: BASE_PORT + 1100 + 100 * i for i, n in enumerate(SERVICES)}}
    data = work / "pm2-data"
    common = {"PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1", "PLATFORM_DATA_DIR": str(data),
              "REDIS_URL": f"redis://127.0.0.1:{ports['redis']}"}
    apps = [{"name": n, "script": sys.executable, "args": ["-m", f"services.{n}"], "interpreter": "none", "exec_mode": "fork",
             "cwd": str(ROOT), "env": {**common, "PORT": str(p), "PLATFORM_PROCESS": n}} for n, p in ports.items()]
    (work / "ecosystem.json").write_text(json.dumps({"apps": apps}))
    subprocess.run(pm2.command("start", str(work / "ecosystem.json")), env=pm2.env, check=True, capture_output=True)
    try:
        wait_until(lambda: all(healthy(ports[n]) for n in SERVICES), 60, what="PM2's services healthy")
        user_id = "u" + "0" * 7
        headers = {"X-Platform-Owner": user_id}
        found = {}
        for name in SERVICES:
            old = pm2.pid(name)

            def ready(name=name, old=old):  # bound now: the loop moves on
                return pm2.pid(name) not in (None, old) and healthy(ports[name])

            found[name] = _measure(ports[name], paths(user_id)[name], headers, pm2.command("reload", name), pm2.env, work, ready)
        return found
    finally:
        pm2.run("delete", "all")
        pm2.kill()


# -- the table --------------------------------------------------------------------------------------

def _spread(values: list[float], fmt: str) -> str:
    return f"{fmt.format(statistics.median(values))} ({fmt.format(min(values))}–{fmt.format(max(values))})"


def render(results: dict[str, list[dict]], labels: dict[str, str], commit: str) -> str:
    lines = [f"Reload under load, {date.today().isoformat()}, commit {commit}, {len(next(iter(results.values())))} rounds; "
             "median (min–max)", "",
             "| service | manager | requests failed | of sent | longest gap without an answer (s) | reload duration (s) |",
             "|---|---|---|---|---|---|"]
    for service in SERVICES:
        for manager, rounds in results.items():
            failed = [r[service][1] for r in rounds]
            sent = [r[service][0] for r in rounds]
            took = [r[service][2] for r in rounds]
            gap = [r[service][3] for r in rounds]
            lines.append(f"| {service} | {labels[manager]} | {_spread(failed, '{:.0f}')} | {_spread(sent, '{:.0f}')} | "
                         f"{_spread(gap, '{:.2f}')} | {_spread(took, '{:.2f}')} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.reload", description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--instances", type=int, default=2, help="instances of each service under platform (default 2)")
    parser.add_argument("--pm2", action="store_true", help="also PM2 (installed from npm into a temp prefix)")
    parser.add_argument("--out", type=Path, help="also write the table to this file")
    args = parser.parse_args(argv)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="bench-reload-") as tmp:
        root = Path(tmp)
        labels = {"platform": f"platform reload ({args.instances} instances)"}
        results: dict[str, list[dict]] = {"platform": []}
        pm2 = None
        if args.pm2:
            from bench.pm2 import PM2

            pm2 = PM2(root)
            labels["pm2"] = f"PM2 {pm2.install()} reload (fork mode)"
            results["pm2"] = []
        for i in range(args.rounds):
            work = root / f"round-{i}"
            work.mkdir()
            results["platform"].append(platform_round(work, args.instances))
            if pm2 is not None:
                results["pm2"].append(pm2_round(work, pm2))
            print(f"round {i + 1}/{args.rounds} done", file=sys.stderr)
    table = render(results, labels, commit)
    print(table)
    if args.out:
        args.out.write_text(table + "\n")


if __name__ == "__main__":
    main()
