"""Orchestration benchmark: cold start, crash recovery, status latency, daemon memory.

Runs redis plus four small Flask services (bench/apps/hello.py under waitress) from a temp
project on free 127.0.0.1 ports, and in the same run the same service under stock supervisord
and (with --pm2, installed from the npm registry into a temp prefix) under PM2, beside ours with
the kills alternating, so each comparison is a ratio measured side by side.

    .venv/bin/python bench/orchestration.py [--pm2] [--kills 10] [--status-runs 15] [--cold-runs 5]
"""

from __future__ import annotations

import argparse
import json
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.cli import PLATFORM, Supervisorctl, clean_env, platform, platform_daemon_pids  # noqa: E402
from bench.measure import crash_once, crash_to_ready, healthy, rss_mb, timed  # noqa: E402
from bench.pm2 import PM2  # noqa: E402
from tests.helpers import free_port, wait_until  # noqa: E402

SERVICES = ["a", "b", "c", "d"]


def write_project(root: Path) -> dict[str, int]:
    ports = {name: free_port() for name in ["redis", *SERVICES]}
    hello = f"{sys.executable} {ROOT / 'bench' / 'apps' / 'hello.py'}"
    lines = ["redis: python -m services.redis --save ''"] + [f"{s}: {hello}" for s in SERVICES]
    (root / "Procfile").write_text("\n".join(lines) + "\n")
    tables = ['[redis]\nprobe = "redis"\nport = %d\n' % ports["redis"]]
    tables += [f'[{s}]\nprobe = "http:/health"\nport = {ports[s]}\ndepends_on = ["redis"]\n' for s in SERVICES]
    (root / "platform.toml").write_text("\n".join(tables))
    return ports


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--status-runs", type=int, default=15)
    parser.add_argument("--cold-runs", type=int, default=5)
    parser.add_argument("--pm2", action="store_true", help="also measure PM2 (needs npm)")
    args = parser.parse_args()
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory(prefix="platform-bench-") as tmp:
        root = Path(tmp)
        ports = write_project(root)
        data = root / "data"
        ctl_env = {**clean_env(), "PLATFORM_DATA_DIR": str(data), "PLATFORM_PYTHON": sys.executable}
        conf = str(ROOT / "platform_cli" / "procman" / "supervisord.conf")
        ctl = Supervisorctl(conf, ctl_env)
        try:
            # 1. Cold start: no daemon -> every process ready (`up` returns only then).
            colds = []
            for _ in range(args.cold_runs):
                start = time.perf_counter()
                platform(root, "up")
                colds.append(time.perf_counter() - start)
                assert all(healthy(ports[s]) for s in SERVICES)
                platform(root, "down")
            results["cold_up_s"] = colds
            platform(root, "up")

            # 2. Crash -> ready under platform's supervisord.
            def pid_of_a():
                rows = json.loads(platform(root, "status", "--json", "a", check=False).stdout or "[]")
                return rows[0]["pid"] if rows else None

            if args.pm2:
                # PM2 runs its own copy of the service beside ours; kills alternate, so drift in
                # the machine's load falls on both alike.
                pm2 = PM2(root)
                results["pm2_version"] = pm2.install()
                pm2_port = free_port()
                pm2.start("a", str(ROOT / "bench" / "apps" / "hello.py"), sys.executable, {"PORT": str(pm2_port)})
                wait_until(lambda: healthy(pm2_port), 15, what="a under PM2")
                ours, theirs = [], []
                for _ in range(args.kills):
                    ours.append(crash_once(pid_of_a, ports["a"]))
                    theirs.append(crash_once(lambda: pm2.pid("a"), pm2_port))
                results["crash_ready_platform_s"], results["crash_ready_pm2_s"] = ours, theirs
                results["status_pm2_s"] = [timed([str(pm2.bin), "status"], pm2.env, root) for _ in range(args.status_runs)]
                results["rss_pm2_daemon_mb"] = rss_mb([pm2.daemon_pid()])
                pm2.kill()
            else:
                results["crash_ready_platform_s"] = crash_to_ready(pid_of_a, ports["a"], args.kills)

            # 3. `platform status` beside `supervisorctl status`, interleaved, same daemon.
            mine, theirs = [], []
            for _ in range(args.status_runs):
                mine.append(timed([PLATFORM, "status"], ctl_env, root))
                theirs.append(timed([*ctl.argv, "status"], ctl_env, root))
            results["status_platform_s"], results["status_supervisorctl_s"] = mine, theirs

            # 4. Memory: supervisord plus the event listener.
            daemon, listener = platform_daemon_pids(data)
            results["rss_daemon_listener_mb"] = rss_mb([daemon, *listener])
            results["rss_daemon_mb"] = rss_mb([daemon])
            platform(root, "down")

            # 5. The same programs under stock supervisord: its crash -> ready, for the ratio.
            subprocess.run([sys.executable, "-m", "supervisor.supervisord", "-c", conf], env=ctl_env, check=True)
            wait_until(ctl.answers, 10, what="stock supervisord")
            ctl.run("start", "redis")
            ctl.run("start", "a")
            wait_until(lambda: healthy(ports["a"]), 15, what="a under stock supervisord")
            results["crash_ready_stock_supervisord_s"] = crash_to_ready(lambda: ctl.pid("a"), ports["a"], args.kills)
            ctl.run("shutdown")
            wait_until(lambda: not (data / "supervisor" / "supervisord.sock").exists(), 30, what="stock supervisord gone")

        finally:
            platform(root, "down", check=False)
            if args.pm2:
                PM2(root).kill()
    report(results, args)


def report(results: dict, args) -> None:
    med = {k: statistics.median(v) if isinstance(v, list) else v for k, v in results.items()}
    p = lambda v: f"{v:.3f} s"  # noqa: E731
    print(f"cold up -> all 5 ready (median of {args.cold_runs}):     {p(med['cold_up_s'])}")
    print(f"SIGKILL -> ready, platform (median of {args.kills}):      {p(med['crash_ready_platform_s'])}"
          f"   [min {min(results['crash_ready_platform_s']):.3f}, max {max(results['crash_ready_platform_s']):.3f}]")
    print(f"SIGKILL -> ready, stock supervisord (median of {args.kills}): {p(med['crash_ready_stock_supervisord_s'])}"
          f"   ratio platform/stock {med['crash_ready_platform_s'] / med['crash_ready_stock_supervisord_s']:.2f}")
    print(f"platform status (median of {args.status_runs}):            {p(med['status_platform_s'])}")
    print(f"supervisorctl status (median of {args.status_runs}):       {p(med['status_supervisorctl_s'])}"
          f"   ratio platform/supervisorctl {med['status_platform_s'] / med['status_supervisorctl_s']:.2f}")
    print(f"RSS supervisord + event listener:          {med['rss_daemon_listener_mb']:.1f} MB"
          f"   (supervisord alone {med['rss_daemon_mb']:.1f} MB)")
    if "pm2_version" in results:
        print(f"PM2 {results['pm2_version']}: SIGKILL -> ready {p(med['crash_ready_pm2_s'])}"
              f" (ratio platform/PM2 {med['crash_ready_platform_s'] / med['crash_ready_pm2_s']:.2f}),"
              f" pm2 status {p(med['status_pm2_s'])}"
              f" (ratio platform/PM2 {med['status_platform_s'] / med['status_pm2_s']:.2f}),"
              f" daemon RSS {med['rss_pm2_daemon_mb']:.1f} MB")
    print(f"command: {' '.join(shlex.quote(a) for a in [sys.executable, *sys.argv])}")


if __name__ == "__main__":
    main()
