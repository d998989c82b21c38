"""Measuring supervised processes from outside: /health probes, crash recovery, memory, wall time.

Shared by bench/orchestration.py and bench/compare; every function works the same whichever
manager runs the processes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import psutil

from bench.load import LoadError
from tests.helpers import wait_until

POLL_S = 0.01  # /health is polled every 10 ms


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=0.5) as r:
            return r.status == 200
    except OSError:
        return False


def wait_all_healthy(ports: list[int], timeout: float = 60) -> None:
    """Poll each port's /health every 10 ms until all of them have answered 200 once."""
    waiting = set(ports)
    deadline = time.monotonic() + timeout
    while waiting:
        waiting = {p for p in waiting if not healthy(p)}
        if waiting:
            if time.monotonic() > deadline:
                raise SystemExit(f"/health on port {', '.join(map(str, sorted(waiting)))} did not answer within {timeout:g} s")
            time.sleep(POLL_S)


def wait_uptime(pid: int, seconds: float = 1.5) -> None:
    """Past startsecs (min_uptime for PM2), so a kill is an ordinary crash, not a quick-crash backoff."""
    wait_until(lambda: time.time() - psutil.Process(pid).create_time() > seconds, 10, interval=0.05, what="uptime")


def crash_once(pid_of, port: int) -> float:
    """SIGKILL the service, then poll /health every 10 ms until it answers from a new process."""
    old = wait_until(lambda: pid_of(), 15, what="a pid")
    wait_uptime(old)
    os.kill(old, signal.SIGKILL)
    start = time.perf_counter()
    while True:
        while not healthy(port):
            time.sleep(POLL_S)
            if time.perf_counter() - start > 30:
                raise SystemExit("service did not come back within 30 s")
        ready = time.perf_counter()  # the clock stops here; asking for the pid takes a CLI call
        if pid_of() not in (None, old):
            return ready - start


def hang_once(pid_of, port: int, cap_s: float) -> float | None:
    """SIGSTOP the service (hung: its pid lives, it answers nothing), then poll until /health
    answers from a new process: seconds, or None when nothing restarted it within `cap_s` (then
    it is continued again, so that the round can go on)."""
    old = wait_until(lambda: pid_of(), 15, what="a pid")
    wait_uptime(old, 3.0)  # past any first probe: a watchdog counts failures from a pass
    os.kill(old, signal.SIGSTOP)
    start = time.perf_counter()
    try:
        while time.perf_counter() - start < cap_s:
            if healthy(port):
                ready = time.perf_counter()
                if pid_of() not in (None, old):
                    return ready - start
            time.sleep(POLL_S)
        return None
    finally:
        try:
            os.kill(old, signal.SIGCONT)
        except ProcessLookupError:
            pass


def crash_to_ready(pid_of, port: int, kills: int) -> list[float]:
    return [crash_once(pid_of, port) for _ in range(kills)]


def timed(cmd: list[str], env: dict, cwd: Path, accept: tuple[int, ...] = (0, 3)) -> float:
    """Wall time of a status command that answered: exit 0, or 3 (`platform status` and
    supervisorctl: something is not running, the work done all the same). Any other exit (no
    daemon found, say) ends the run rather than being timed as if it had done the work."""
    start = time.perf_counter()
    result = subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if result.returncode not in accept:
        raise LoadError(f"{' '.join(map(str, cmd))} exited {result.returncode}: "
                        f"{result.stderr.decode(errors='replace').strip()[:300]}; this run gives no figure")
    return elapsed


def pss_mb(pids: list[int]) -> float:
    """Proportional set size: pages shared between the processes (a fork's, say) count once."""
    return sum(psutil.Process(p).memory_full_info().pss for p in pids) / 1e6


def rss_mb(pids: list[int]) -> float:
    """Resident set size, summed: what `ps` and PM2 show; shared pages count once per process."""
    return sum(psutil.Process(p).memory_info().rss for p in pids) / 1e6


def alive(proc: psutil.Process) -> bool:
    """Still the process we saw (psutil checks its start time, so a reused pid is not it); a
    zombie counts as gone: it holds no memory, port or file, only its exit status."""
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def family(pids: list[int]) -> set[psutil.Process]:
    """The processes and all their descendants, as they are now."""
    found = set()
    for pid in pids:
        try:
            proc = psutil.Process(pid)
            found |= {proc, *proc.children(recursive=True)}
        except psutil.NoSuchProcess:
            pass
    return found


def wait_gone(procs: set[psutil.Process], timeout: float = 60) -> None:
    wait_until(lambda: not any(alive(p) for p in procs), timeout, interval=POLL_S,
               what=f"pids {sorted(p.pid for p in procs if alive(p))} to exit")


def kill_all(procs: set[psutil.Process]) -> None:
    """SIGKILL whatever of these is still alive (cleanup after an error; only our own processes)."""
    for proc in procs:
        if alive(proc):
            try:
                proc.kill()
            except psutil.NoSuchProcess:
                pass
