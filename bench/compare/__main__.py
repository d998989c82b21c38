"""`python -m bench.compare`: parse, run the rounds, print the table (see bench/compare/__init__.py)."""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path

import bench.compare
from bench.compare import report
from bench.compare.floor import describe_floor, measure_floor
from bench.compare.honcho import Honcho
from bench.compare.platform_ import Platform
from bench.compare.pm2 import Pm2
from bench.compare.runner import Samples, run_round
from bench.compare.supervisord import Supervisord
from bench.compare.workload import make_workload
from bench.pm2 import PM2

MANAGERS = ("platform", "pm2", "supervisord", "honcho")
FLOOR = "floor"  # the no-manager floor's turn in a round (bench/compare/floor.py)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.compare", description=bench.compare.__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5, help="rounds; each runs every manager once (default 5)")
    parser.add_argument("--lines", type=int, default=200_000, help="lines in each burst (default 200,000)")
    parser.add_argument("--kills", type=int, default=4, help="SIGKILLs per manager per round (default 4)")
    parser.add_argument("--status-runs", type=int, default=5, help="status commands per manager per round (default 5)")
    parser.add_argument("--burst-delay", type=float, default=5.0,
                        help="seconds from the writer's start to its burst; must cover the cold start and the follower's own start (default 5)")
    parser.add_argument("--managers", default=",".join(MANAGERS), help=f"comma-separated subset of {','.join(MANAGERS)}")
    parser.add_argument("--out", type=Path, help="also write the table as markdown to this file")
    args = parser.parse_args(argv)
    args.managers = [m.strip() for m in args.managers.split(",") if m.strip()]
    unknown = set(args.managers) - set(MANAGERS)
    if unknown or "platform" not in args.managers:
        parser.error(f"--managers: choose from {', '.join(MANAGERS)}, platform included")
    return args


def main(argv: list[str]) -> None:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="platform-compare-") as tmp:
        root = Path(tmp)
        pm2_version = PM2(root).install() if "pm2" in args.managers else None
        makers = {
            "platform": Platform,
            "pm2": lambda w: Pm2(w, root, pm2_version),
            "supervisord": Supervisord,
            "honcho": Honcho,
        }
        labels = {"platform": "platform", "pm2": f"PM2 {pm2_version}", "supervisord": "supervisord", "honcho": "honcho"}
        results = {labels[m]: Samples() for m in args.managers}
        commands: dict[str, dict[str, str]] = {}
        floors: list[float] = []
        keys = [*args.managers, FLOOR]  # the floor takes its turn in the rotation too
        for r in range(args.rounds):
            order = keys[r % len(keys):] + keys[: r % len(keys)]
            for key in order:
                if key == FLOOR:
                    print(f"round {r + 1}/{args.rounds}: no manager (the floor)", file=sys.stderr, flush=True)
                    floors.append(measure_floor(make_workload(root / f"round{r}" / "floor", args.lines, args.burst_delay)))
                    continue
                print(f"round {r + 1}/{args.rounds}: {labels[key]}", file=sys.stderr, flush=True)
                workload = make_workload(root / f"round{r}" / key, args.lines, args.burst_delay)
                manager = makers[key](workload)
                commands[manager.label] = manager.commands
                run_round(manager, workload, results[manager.label], args.kills, args.status_runs)
    print_report(results, commands, args, floors)


def print_report(results: dict[str, Samples], commands: dict[str, dict[str, str]], args, floors: list[float]) -> None:
    names = list(results)
    rows = report.make_rows(results, args.lines, floors)
    markdown = report.render_markdown(rows, names)
    print(report.render_text(rows, names))
    print()
    print(f"medians of {args.rounds} rounds (SIGKILL: {args.rounds} × {args.kills}, status: {args.rounds} × {args.status_runs});"
          f" supervisor {version('supervisor')}, honcho {version('honcho')}, {os.cpu_count()} CPUs")
    for label, used in commands.items():
        print(f"{label}: " + "; ".join(f"{what}: {cmd}" for what, cmd in used.items()))
    for label, s in results.items():
        if not all(s.in_order):
            print(f"{label}: the follower showed lines out of order in {s.in_order.count(False)} of {len(s.in_order)} bursts")
        for note in dict.fromkeys(s.notes):
            print(f"{label}: {note}")
    print("spread (min–max): " + "; ".join(report.spread(results)))
    print(describe_floor(floors))
    if args.out:
        args.out.write_text(markdown + "\n")
        print(f"markdown table written to {args.out}")
    else:
        print()
        print(markdown)
    print(f"command: {command_line()}")


def command_line() -> str:
    python = os.path.relpath(sys.executable) if sys.executable.startswith(os.getcwd() + os.sep) else sys.executable
    return " ".join(shlex.quote(a) for a in [python, "-m", "bench.compare", *sys.argv[1:]])


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except KeyboardInterrupt:  # everything started has been stopped by then (run_round's finally)
        sys.exit(130)
