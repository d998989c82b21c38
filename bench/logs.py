"""Log benchmark: a process prints 200,000 numbered lines as fast as it can.

Measures, in one run: lines lost in the log files, in `platform logs -f` and in
`supervisorctl tail -f` (both following the same burst at once); the time each follower takes to
deliver the whole burst (from the first write to the last line shown) and the last line after it
was written; lines per second. With --pm2 (installed from the npm registry into a temp prefix),
the same burst under PM2 with `pm2 logs --raw`, afterwards.

    .venv/bin/python bench/logs.py [--lines 200000] [--pm2]
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.pm2 import PM2  # noqa: E402
from tests.helpers import wait_until  # noqa: E402

WRITER = ROOT / "tests" / "e2e" / "apps" / "writer.py"
NUMBERED = re.compile(rb"burst \d+ (\d+)$")


class Reader:
    """Reads a follower's stdout: which numbers it showed, in order, and when."""

    def __init__(self, cmd: list[str], env: dict, cwd: Path, total: int):
        self.total = total
        self.numbers: list[int] = []
        self.first_at = self.last_at = None
        self.proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        for raw in self.proc.stdout:
            match = NUMBERED.search(raw.rstrip(b"\n"))
            if match:
                now = time.time()
                self.first_at = self.first_at or now
                self.numbers.append(int(match.group(1)))
                if self.numbers[-1] == self.total - 1:
                    self.last_at = now

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)

    def report(self, label: str, started: float, finished: float) -> str:
        lost = self.total - len(set(self.numbers))
        in_order = self.numbers == sorted(self.numbers)
        if self.last_at is None:
            return f"{label}: lines lost {lost} (last line never shown), in order: {in_order}"
        whole = self.last_at - started
        rate = len(self.numbers) / max(1e-9, self.last_at - self.first_at)
        return (f"{label}: lines lost {lost}, in order: {in_order}, whole burst shown {whole:.3f} s after the first write,"
                f" last line {self.last_at - finished:.3f} s after it was written, {rate:,.0f} lines/s")


def file_numbers(paths: list[Path]) -> list[int]:
    found = []
    for path in paths:
        for raw in path.read_bytes().splitlines():
            match = NUMBERED.search(raw)
            if match:
                found.append(int(match.group(1)))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--pm2", action="store_true")
    args = parser.parse_args()
    bin_dir = Path(sys.executable).parent
    out = []
    with tempfile.TemporaryDirectory(prefix="platform-logbench-") as tmp:
        root = Path(tmp)
        times = root / "times"
        (root / "Procfile").write_text(
            f"burst: env COUNT={args.lines} START_DELAY=3 TIMES_FILE={times} TAG=burst {sys.executable} {WRITER}\n"
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("PLATFORM_")}
        ctl_env = {**env, "PLATFORM_DATA_DIR": str(root / "data"), "PLATFORM_PYTHON": sys.executable}
        conf = str(ROOT / "platform_cli" / "procman" / "supervisord.conf")
        try:
            subprocess.run([bin_dir / "platform", "up"], cwd=root, env=env, check=True, stdout=subprocess.DEVNULL)
            ours = Reader([str(bin_dir / "platform"), "logs", "-f", "-n", "0", "burst"], env, root, args.lines)
            theirs = Reader([str(bin_dir / "supervisorctl"), "-c", conf, "tail", "-f", "burst"], ctl_env, root, args.lines)
            wait_until(times.exists, 60, what="the burst to be written")
            started, finished = map(float, times.read_text().split())
            try:
                wait_until(lambda: ours.last_at and theirs.last_at, 60, interval=0.1, what="both followers")
            except AssertionError:
                pass  # reported below as the lines they never showed
            ours.stop()
            theirs.stop()
            logs = root / "data" / "logs"
            in_files = file_numbers(sorted(logs.glob("burst.log.*"), reverse=True) + [logs / "burst.log"])
            out.append(f"burst of {args.lines:,} lines written in {finished - started:.3f} s")
            out.append(f"log files: lines lost {args.lines - len(set(in_files))}, in order: {in_files == sorted(in_files)}")
            out.append(ours.report("platform logs -f", started, finished))
            out.append(theirs.report("supervisorctl tail -f (same burst, same time)", started, finished))
        finally:
            subprocess.run([bin_dir / "platform", "down"], cwd=root, env=env, stdout=subprocess.DEVNULL)
        if args.pm2:
            out.append(measure_pm2(root, args.lines))
    for line in out:
        print(line)
    print(f"command: {' '.join(shlex.quote(a) for a in [sys.executable, *sys.argv])}")


def measure_pm2(root: Path, lines: int) -> str:
    pm2 = PM2(root)
    version = pm2.install()
    times = root / "pm2-times"
    try:
        follower = Reader([str(pm2.bin), "logs", "burst", "--raw", "--lines", "0"], pm2.env, root, lines)
        pm2.start("burst", str(WRITER), sys.executable,
                  {"COUNT": str(lines), "START_DELAY": "3", "TIMES_FILE": str(times), "TAG": "burst", "PYTHONUNBUFFERED": "1"})
        wait_until(times.exists, 60, what="the burst under PM2")
        started, finished = map(float, times.read_text().split())
        try:
            wait_until(lambda: follower.last_at, 60, interval=0.1, what="pm2 logs")
        except AssertionError:
            pass
        follower.stop()
        return follower.report(f"pm2 logs (PM2 {version}, separate burst)", started, finished)
    finally:
        pm2.kill()


if __name__ == "__main__":
    main()
