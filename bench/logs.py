"""Log benchmark: a process prints 200,000 numbered lines as fast as it can.

Measures, in one run: lines lost in the log files and in what each follower shows; the time a
follower takes to show the whole burst (from the process's first write to the last line shown)
and the last line after it was written; lines per second. Rounds of a burst followed by `platform logs -f`
alone, interleaved with (--pm2, installed from the npm registry into a temp prefix) a burst
under PM2 followed by `pm2 logs --raw` alone, reported as medians; then one burst followed by
`platform logs -f` and `supervisorctl tail -f` at once (supervisorctl is too slow for rounds).

    .venv/bin/python bench/logs.py [--lines 200000] [--rounds 5] [--pm2]
"""

from __future__ import annotations

import argparse
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.burst import NUMBERED, WRITER, Outcome, Reader, burst_times, writer_env  # noqa: E402
from bench.cli import PLATFORM, Supervisorctl, clean_env  # noqa: E402
from bench.pm2 import PM2  # noqa: E402


def file_numbers(paths: list[Path]) -> list[int]:
    found = []
    for path in paths:
        for raw in path.read_bytes().splitlines():
            match = NUMBERED.search(raw)
            if match:
                found.append(int(match.group(1)))
    return found


def burst_project(root: Path, lines: int) -> Path:
    root.mkdir()
    times = root / "times"
    # `up` returns once the writer has been up 1 s; the followers then need ~0.4 s to start and
    # open the log at its end (more on a busy machine): 1.5 s left them racing the burst.
    settings = " ".join(f"{k}={v}" for k, v in writer_env(lines, 3.0, times).items())
    (root / "Procfile").write_text(f"burst: env {settings} {sys.executable} {WRITER}\n")
    return times


def run_platform_burst(root: Path, lines: int, with_supervisorctl: bool) -> tuple[dict, list[str]]:
    """One burst under platform, followed by `platform logs -f` (and `supervisorctl tail -f`)."""
    times = burst_project(root, lines)
    env = clean_env()
    ctl = Supervisorctl(ROOT / "platform_cli" / "procman" / "supervisord.conf",
                        {**env, "PLATFORM_DATA_DIR": str(root / "data"), "PLATFORM_PYTHON": sys.executable})
    try:
        subprocess.run([PLATFORM, "up"], cwd=root, env=env, check=True, stdout=subprocess.DEVNULL)
        readers = {"platform logs -f": Reader.follow([PLATFORM, "logs", "-f", "-n", "0", "burst"], env, root, lines)}
        if with_supervisorctl:
            readers["supervisorctl tail -f"] = Reader.follow([*ctl.argv, "tail", "-f", "burst"], ctl.env, root, lines)
        started, finished = burst_times(times)
        for reader in readers.values():
            reader.wait_shown(finished)
        for reader in readers.values():
            reader.stop()
        logs = root / "data" / "logs"
        files = sorted(logs.glob("burst.log.*"), reverse=True) + [logs / "burst.log"]
        in_files = file_numbers(files)
        last_stamp = files[-1].read_bytes().rstrip(b"\n").rsplit(b"\n", 1)[-1][:27].decode()
        written = datetime.strptime(last_stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc).timestamp()
        notes = [f"log files: lines lost {lines - len(set(in_files))}, in order: {in_files == sorted(in_files)},"
                 f" supervisord read the last line {written - finished:.3f} s after it was written"]
        return {label: Outcome(r, started, finished) for label, r in readers.items()}, notes
    finally:
        subprocess.run([PLATFORM, "down"], cwd=root, env=env, stdout=subprocess.DEVNULL)


def summary(label: str, outcomes: list[Outcome], lines: int) -> str:
    whole = [o.whole for o in outcomes if o.whole is not None]
    last = [o.last for o in outcomes if o.last is not None]
    text = (f"{label} ({len(outcomes)} burst{'s' if len(outcomes) > 1 else ''}): lines lost {sum(o.lost for o in outcomes)}"
            f" of {lines * len(outcomes):,}, all in order: {all(o.in_order for o in outcomes)}")
    if whole:
        text += (f"; whole burst shown {statistics.median(whole):.3f} s after the first write (median),"
                 f" last line {statistics.median(last):.3f} s after it was written,"
                 f" {lines / statistics.median(whole):,.0f} lines/s")
    if len(whole) < len(outcomes):
        text += f"; {len(outcomes) - len(whole)} burst(s) never fully shown"
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--pm2", action="store_true")
    args = parser.parse_args()
    ours, theirs, notes = [], [], []
    with tempfile.TemporaryDirectory(prefix="platform-logbench-") as tmp:
        pm2 = PM2(Path(tmp)) if args.pm2 else None
        version = pm2.install() if pm2 else None
        try:
            for i in range(args.rounds):
                outcome, file_notes = run_platform_burst(Path(tmp) / f"alone{i}", args.lines, with_supervisorctl=False)
                ours.append(outcome["platform logs -f"])
                notes += file_notes
                if pm2:
                    theirs.append(pm2_burst(pm2, Path(tmp), i, args.lines))
            beside, file_notes = run_platform_burst(Path(tmp) / "beside", args.lines, with_supervisorctl=True)
            notes += file_notes
        finally:
            if pm2:
                pm2.kill()
    print(f"{args.lines:,} numbered lines printed as fast as a process can")
    print(f"  {summary('platform logs -f, alone', ours, args.lines)}")
    if pm2:
        print(f"  {summary(f'pm2 logs --raw (PM2 {version}), alone, interleaved with the above', theirs, args.lines)}")
    print("  the same burst followed by both at once:")
    for label, outcome in beside.items():
        print(f"    {summary(label, [outcome], args.lines)}")
    lost_in_files = sum(int(n.split("lines lost ")[1].split(",")[0]) for n in notes)
    print(f"  log files of all {len(notes)} bursts under platform: lines lost {lost_in_files};"
          f" supervisord read each burst's last line within {max(float(n.split('line ')[-1].split(' s')[0]) for n in notes):.3f} s")
    print(f"command: {' '.join(shlex.quote(a) for a in [sys.executable, *sys.argv])}")


def pm2_burst(pm2: PM2, root: Path, i: int, lines: int) -> Outcome:
    name, times = f"burst{i}", root / f"pm2-times-{i}"
    follower = Reader.follow(pm2.follow_command(name), pm2.env, root, lines)
    time.sleep(1)  # pm2 logs attaches to the daemon's bus asynchronously; give it a head start
    pm2.start(name, str(WRITER), sys.executable, {**writer_env(lines, 1.5, times), "PYTHONUNBUFFERED": "1"})
    started, finished = burst_times(times)
    follower.wait_shown(finished, timeout=30)
    follower.stop()
    pm2.run("delete", name)
    return Outcome(follower, started, finished)


if __name__ == "__main__":
    main()
