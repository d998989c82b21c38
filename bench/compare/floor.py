"""The no-manager floor: the workload's own commands spawned directly, all at once, with no
manager in between; what a manager's cold start is measured against.

Each round spawns the five commands (`subprocess.Popen`, in parallel, each with the environment
a manager would give it) and times from the first spawn to all four /health answering 200,
polled as for every manager (bench/measure.py). A manager's cold start of the same round,
divided by this, is its overhead; pairing by round keeps the ratio meaningful when the shared
machine's load drifts.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import time

from bench.compare.workload import NAMES, Workload
from bench.measure import family, kill_all, wait_all_healthy, wait_gone


def measure_floor(workload: Workload) -> float:
    """Seconds from spawning every command directly to all four /health answering 200."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("PLATFORM_")}
    procs: list[subprocess.Popen] = []
    try:
        start = time.perf_counter()
        for name in NAMES:
            procs.append(subprocess.Popen(workload.command(name), cwd=workload.dir, env={**base, **workload.env(name)},
                                          stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        wait_all_healthy(list(workload.ports.values()))
        return time.perf_counter() - start
    finally:
        spawned = family([p.pid for p in procs])
        kill_all(spawned)
        wait_gone(spawned)
        for p in procs:
            p.wait()


def floor_ratios(cold: list[float], floors: list[float]) -> list[float]:
    """Each round's cold start over the same round's floor (rounds a manager has no figure for
    are left out)."""
    return [c / f for c, f in zip(cold, floors, strict=False) if f > 0]  # a manager may lack a figure: left out


def describe_floor(floors: list[float]) -> str:
    return f"no-manager floor (commands spawned directly): median {statistics.median(floors):.3f} s, {min(floors):.3f}–{max(floors):.3f} (n={len(floors)})"
