"""`down` against Procfile length and stubborn processes: platform, stock supervisord, PM2.

    .venv/bin/python -m bench.compare.down [--rounds 3] [--lines 1,50,500] [--stubborn 0,3]
                                           [--managers platform,supervisord,pm2] [--out table.md]

Each cell: a fresh directory with a Procfile of `lines` lines, of which `stubborn` run a Python
process that ignores SIGTERM and SIGINT (stop timeout 3 s everywhere) and, when none is stubborn, one runs
`sleep`; every other line is defined but never started. Timed: from issuing the stop command
(`platform down`, `supervisorctl shutdown`, `pm2 kill`) until every process of the manager's
(daemon and programs) is gone. PM2 registers only the started apps (`pm2 start --only`): it has
no defined-but-stopped state, so its figure does not depend on the line count. The round order
rotates over the managers, so drift in a shared machine's load falls on all alike.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from bench.cli import BIN, PLATFORM, Supervisorctl, clean_env, platform_daemon_pids
from bench.compare.supervisord import CONF
from bench.measure import family, kill_all, wait_gone
from bench.pm2 import PM2
from tests.helpers import wait_until

STOP_TIMEOUT = 3
# SIGINT too: PM2 stops with SIGINT, the others with SIGTERM.
STUBBORN = "import signal, time\nfor s in (signal.SIGTERM, signal.SIGINT):\n    signal.signal(s, signal.SIG_IGN)\ntime.sleep(3600)\n"
MANAGERS = ("platform", "supervisord", "pm2")


def programs(root: Path, lines: int, stubborn: int) -> tuple[dict[str, list[str]], list[str]]:
    """Name -> argv of every line, and the names started."""
    (root / "stubborn.py").write_text(STUBBORN)
    argv = {f"s{i}": [sys.executable, str(root / "stubborn.py")] for i in range(stubborn)}
    argv |= {f"p{i}": ["sleep", "3600"] for i in range(lines - stubborn)}
    return argv, [f"s{i}" for i in range(stubborn)] or ["p0"]


def run_platform(root: Path, argv: dict[str, list[str]], started: list[str]) -> float:
    (root / "Procfile").write_text("".join(f"{n}: {' '.join(a)}\n" for n, a in argv.items()))
    (root / "platform.toml").write_text("".join(f"[{n}]\nstop_timeout = {STOP_TIMEOUT}\n" for n in argv))
    env = clean_env()
    subprocess.run([PLATFORM, "up", *started], cwd=root, env=env, check=True, capture_output=True)
    daemon, listener = platform_daemon_pids(root / "data")
    return _timed_stop([PLATFORM, "down"], env, root, [daemon, *listener])


def run_supervisord(root: Path, argv: dict[str, list[str]], started: list[str]) -> float:
    conf = root / "supervisord.conf"
    text = CONF.format(dir=root)
    for name, command in argv.items():
        text += (f"\n[program:{name}]\ncommand={' '.join(command)}\nautostart=false\nstopwaitsecs={STOP_TIMEOUT}\n"
                 f"stopasgroup=true\nkillasgroup=true\nstdout_logfile={root}/{name}.log\nstderr_logfile={root}/{name}.err.log\n")
    conf.write_text(text)
    ctl = Supervisorctl(conf, clean_env())
    subprocess.run([str(BIN / "supervisord"), "-c", str(conf)], env=ctl.env, check=True)
    wait_until(ctl.answers, 30, what="supervisord answering")
    if ctl.run("start", *started).returncode != 0:
        raise SystemExit("supervisorctl start failed")
    daemon = int((root / "supervisord.pid").read_text())
    return _timed_stop([*ctl.argv, "shutdown"], ctl.env, root, [daemon])


def run_pm2(root: Path, argv: dict[str, list[str]], started: list[str], prefix: Path) -> float:
    pm2 = PM2(prefix, home=root / "pm2-home")
    apps = [{"name": n, "script": a[-1] if a[0] == sys.executable else a[0], "args": [] if a[0] == sys.executable else a[1:],
             "interpreter": sys.executable if a[0] == sys.executable else "none", "autorestart": True,
             "kill_timeout": STOP_TIMEOUT * 1000} for n, a in argv.items()]
    (root / "ecosystem.json").write_text(json.dumps({"apps": apps}))
    result = subprocess.run(pm2.command("start", "ecosystem.json", "--only", ",".join(started)), env=pm2.env, cwd=root,
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"pm2 start failed: {result.stderr}")
    wait_until(lambda: all(pm2.pid(n) for n in started), 30, what="pm2 apps online")
    return _timed_stop(pm2.command("kill"), pm2.env, root, [pm2.daemon_pid()])


def _timed_stop(cmd: list[str], env: dict, cwd: Path, daemon_pids: list[int]) -> float:
    procs = family(daemon_pids)
    try:
        start = time.perf_counter()
        subprocess.run(cmd, env=env, cwd=cwd, check=True, capture_output=True)
        wait_gone(procs, timeout=3600)
        return time.perf_counter() - start
    finally:
        kill_all(procs)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.compare.down", description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--lines", default="1,50,500")
    parser.add_argument("--stubborn", default="0,3")
    parser.add_argument("--managers", default=",".join(MANAGERS))
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    managers = [m for m in args.managers.split(",") if m]
    cells = [(n, s) for n in map(int, args.lines.split(",")) for s in map(int, args.stubborn.split(",")) if s <= n]
    samples: dict[tuple[str, int, int], list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="platform-down-") as tmp:
        tmp = Path(tmp)
        pm2_version = PM2(tmp).install() if "pm2" in managers else None
        for r in range(args.rounds):
            order = managers[r % len(managers):] + managers[:r % len(managers)]
            for lines, stubborn in cells:
                for manager in order:
                    if manager == "pm2" and lines != cells[0][0] and (cells[0][0], stubborn) in cells:
                        continue  # PM2 registers only the started apps: the line count changes nothing
                    root = tmp / f"r{r}-{manager}-{lines}-{stubborn}"
                    root.mkdir()
                    names, started = programs(root, lines, stubborn)
                    print(f"round {r + 1}/{args.rounds}: {manager}, {lines} lines, {stubborn} stubborn", file=sys.stderr, flush=True)
                    if manager == "pm2":
                        took = run_pm2(root, names, started, tmp)
                    else:
                        took = {"platform": run_platform, "supervisord": run_supervisord}[manager](root, names, started)
                    samples.setdefault((manager, lines, stubborn), []).append(took)
    labels = {"platform": "platform down", "supervisord": "supervisorctl shutdown", "pm2": f"pm2 kill (PM2 {pm2_version})"}
    table = render(samples, cells, managers, labels)
    print(table)
    print(f"\n{args.rounds} rounds, {datetime.now(timezone.utc):%Y-%m-%d}, stop timeout {STOP_TIMEOUT} s;"
          f" command: {' '.join(['python -m bench.compare.down', *argv])}")
    if args.out:
        args.out.write_text(table + "\n")


def render(samples, cells, managers, labels) -> str:
    head = "| Procfile lines | ignore SIGTERM | " + " | ".join(labels[m] for m in managers) + " |"
    rows = [head, "|" + "---|" * (2 + len(managers))]
    for lines, stubborn in cells:
        out = []
        for m in managers:
            found = samples.get((m, lines, stubborn)) or (samples.get((m, cells[0][0], stubborn)) if m == "pm2" else None)
            out.append(f"{statistics.median(found):.2f} s ({min(found):.2f}–{max(found):.2f})" if found else "–")
        rows.append(f"| {lines} | {stubborn} | " + " | ".join(out) + " |")
    return "\n".join(rows)


if __name__ == "__main__":
    main(sys.argv[1:])
