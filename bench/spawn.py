"""Spawn latency: from issuing a start command to the moment each process is running.

bench/compare times a start to all services healthy, which is mostly the services' own start
(Python and Flask on 2 cores). This isolates the manager's part: five processes whose command is
`sh stamp.sh`, which appends `date +%s.%N` to a file and execs `sleep`; the first and last
stamps, less the time the command was issued, are when the manager had the first and the last
of them running. Rounds interleave the commands, so a drifting machine load touches all alike:

- cold: `platform up` (no daemon yet), stock `supervisord -c` (autostart=true; it daemonizes),
  `honcho start`;
- daemon up: `platform start --all` and `supervisorctl start all`, every program stopped before.

    .venv/bin/python bench/spawn.py [--rounds 7] [--platform DIR]

--platform DIR: the `platform` executable's folder (default: this venv's), e.g. another
checkout's .venv/bin, to compare two commits in one run.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.cli import BIN, clean_env  # noqa: E402
from bench.compare.supervisord import CONF as SUPERVISORD_CONF  # noqa: E402
from tests.helpers import wait_until  # noqa: E402

NAMES = ("a", "b", "c", "d", "e")
STAMP = '#!/bin/sh\ndate +%s.%N >> "$SPAWN_FILE"\nexec sleep 1000\n'


class Setup:
    """One temp folder: the stamping script, a Procfile (platform, honcho), a supervisord.conf."""

    def __init__(self, root: Path, platform_bin: Path):
        self.root = root
        self.stamps = root / "spawned"
        self.platform = str(platform_bin / "platform")
        (root / "stamp.sh").write_text(STAMP)
        self.env = {**clean_env(), "SPAWN_FILE": str(self.stamps)}
        for kind in ("platform", "honcho"):
            (root / kind).mkdir()
            (root / kind / "Procfile").write_text("".join(f"{n}: sh {root}/stamp.sh\n" for n in NAMES))
        (root / "supervisord").mkdir()
        conf = SUPERVISORD_CONF.format(dir=root / "supervisord")
        conf += "".join(f"[program:{n}]\ncommand=/bin/sh {root}/stamp.sh\nautostart=true\nstartsecs=1\n" for n in NAMES)
        self.conf = root / "supervisord" / "supervisord.conf"
        self.conf.write_text(conf)
        self.ctl = [str(BIN / "supervisorctl"), "-c", str(self.conf)]

    def spawned(self, issued: float) -> tuple[float, float]:
        """(first, last) seconds after `issued` at which the five were running."""
        times = wait_until(lambda: (t := self._stamps()) and len(t) == len(NAMES) and t, 30, interval=0.005,
                           what="all five processes to start")
        return min(times) - issued, max(times) - issued

    def _stamps(self) -> list[float]:
        try:
            return [float(x) for x in self.stamps.read_text().split()]
        except FileNotFoundError:
            return []

    def issue(self, argv: list[str], cwd: Path) -> float:
        self.stamps.unlink(missing_ok=True)
        issued = time.time()
        subprocess.run(argv, cwd=cwd, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        return issued

    def quiet(self, argv: list[str], cwd: Path) -> None:
        subprocess.run(argv, cwd=cwd, env=self.env, capture_output=True, check=True)


def measure(setup: Setup, rounds: int) -> dict[str, list[tuple[float, float]]]:
    found: dict[str, list[tuple[float, float]]] = {}
    plat, sv, hon = setup.root / "platform", setup.root / "supervisord", setup.root / "honcho"
    for _ in range(rounds):
        # Cold starts.
        found.setdefault("platform up (cold)", []).append(setup.spawned(setup.issue([setup.platform, "up"], plat)))
        issued = setup.issue([str(BIN / "supervisord"), "-c", str(setup.conf)], sv)
        found.setdefault("supervisord -c (cold)", []).append(setup.spawned(issued))
        setup.stamps.unlink(missing_ok=True)
        issued = time.time()
        honcho = subprocess.Popen([str(BIN / "honcho"), "start"], cwd=hon, env=setup.env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        try:
            found.setdefault("honcho start (cold)", []).append(setup.spawned(issued))
        finally:
            stop_honcho(honcho)
        # Daemons up: every program stopped, then start all.
        setup.quiet([setup.platform, "stop", "--all"], plat)
        found.setdefault("platform start --all", []).append(setup.spawned(setup.issue([setup.platform, "start", "--all"], plat)))
        setup.quiet([*setup.ctl, "stop", "all"], sv)
        found.setdefault("supervisorctl start all", []).append(setup.spawned(setup.issue([*setup.ctl, "start", "all"], sv)))
        setup.quiet([setup.platform, "down"], plat)
        setup.quiet([*setup.ctl, "shutdown"], sv)
        wait_until(lambda: not (sv / "supervisord.pid").exists(), 30, interval=0.01, what="supervisord to exit")
    return found


def stop_honcho(honcho: subprocess.Popen) -> None:
    """SIGTERM to honcho alone (it stops the programs it runs, each in a group of its own), again
    each second: one that arrives while honcho is still starting its helpers can go unheeded.
    Then SIGKILL to what is left of it, found before, so nothing this benchmark started stays."""
    import psutil

    family = psutil.Process(honcho.pid).children(recursive=True)
    for _ in range(10):
        honcho.send_signal(signal.SIGTERM)
        try:
            honcho.wait(1)
            break
        except subprocess.TimeoutExpired:
            continue
    for proc in [psutil.Process(honcho.pid), *family] if honcho.poll() is None else family:
        try:
            proc.kill()
        except psutil.Error:
            pass  # gone already
    honcho.wait(10)


def report(found: dict[str, list[tuple[float, float]]], rounds: int, platform_bin: Path) -> str:
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    lines = [f"# Spawn latency — {datetime.now(timezone.utc):%Y-%m-%d}, code of {commit}, platform from {platform_bin}, "
             f"{rounds} rounds, {os.cpu_count()} cores", "",
             "| command | first running (median, min–max) | last running (median, min–max) |", "|---|---|---|"]
    for name, pairs in found.items():
        first, last = [p[0] * 1000 for p in pairs], [p[1] * 1000 for p in pairs]
        lines.append(f"| {name} | {statistics.median(first):.0f} ms ({min(first):.0f}–{max(first):.0f}) "
                     f"| {statistics.median(last):.0f} ms ({min(last):.0f}–{max(last):.0f}) |")
    for ours, theirs in (("platform up (cold)", "honcho start (cold)"), ("platform start --all", "supervisorctl start all")):
        ratios = [a[1] / b[1] for a, b in zip(found[ours], found[theirs], strict=True)]
        lines.append(f"\n{ours} ÷ {theirs}, last running, paired by round: {statistics.median(ratios):.2f} "
                     f"[{min(ratios):.2f}–{max(ratios):.2f}]")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--platform", type=Path, default=BIN, help="folder of the platform executable")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        setup = Setup(Path(tmp), args.platform)
        try:
            found = measure(setup, args.rounds)
        finally:
            subprocess.run([setup.platform, "down"], cwd=setup.root / "platform", env=setup.env, capture_output=True)
            subprocess.run([*setup.ctl, "shutdown"], env=setup.env, capture_output=True)
    print(report(found, args.rounds, args.platform))


if __name__ == "__main__":
    main()
