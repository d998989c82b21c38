"""One round of the workload under one manager, measured from outside, and the samples it adds."""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass, field

import psutil

from bench.burst import Outcome, burst_times
from bench.compare.logfile import file_burst, floor_burst
from bench.compare.startall import start_all_daemon_up
from bench.compare.workload import SERVICES, Manager, Workload
from bench.measure import crash_once, family, hang_once, healthy, kill_all, pss_mb, rss_mb, timed, wait_all_healthy, wait_gone, wait_uptime
from tests.helpers import wait_until

ATTACH_S = 1.0  # a follower launched less than this before the burst may have missed its start
HANG_CAP_S = 20.0  # a SIGSTOPped service not restarted by then is counted as never


@dataclass
class Samples:
    """Everything measured for one manager, over all rounds."""

    cold: list[float] = field(default_factory=list)
    crash: list[float] = field(default_factory=list)
    stops_all: list[float] = field(default_factory=list)  # no restart: kill -> every process gone
    status: list[float] = field(default_factory=list)
    memory: list[float] = field(default_factory=list)  # PSS, MB
    rss: list[float] = field(default_factory=list)  # RSS of the same processes at the same moment, MB
    hung: list[float | None] = field(default_factory=list)  # SIGSTOP -> healthy from a new process; None: never
    lost: list[int] = field(default_factory=list)
    whole: list[float | None] = field(default_factory=list)
    in_order: list[bool] = field(default_factory=list)
    stop: list[float] = field(default_factory=list)
    in_file: list[float | None] = field(default_factory=list)  # 2nd burst: first write -> last line in the log file
    file_floor: list[float] = field(default_factory=list)  # the same, no manager, in the same round
    file_lost: list[int] = field(default_factory=list)
    file_split: list[int] = field(default_factory=list)
    start_all: list[float] = field(default_factory=list)  # programs stopped, daemon up -> all healthy again
    notes: list[str] = field(default_factory=list)


def run_round(manager: Manager, workload: Workload, samples: Samples, kills: int, status_runs: int) -> None:
    """start -> all healthy; the burst, followed; status; memory; kills; start all with the daemon
    up; stop all. Whatever
    happens, everything the manager started is gone afterwards."""
    ours: set[psutil.Process] = set()
    ports = list(workload.ports.values())
    try:
        # 1. Cold start: from issuing the command to every /health answering 200.
        start = time.perf_counter()
        manager.start()
        wait_all_healthy(ports)
        samples.cold.append(time.perf_counter() - start)
        healthy_at = time.time()
        manager.wait_started()
        ours |= family(manager.daemon_pids())

        # 2. The burst, as the manager's live follower shows it.
        launched = time.time()
        reader = manager.follow(workload.lines)
        started, finished = burst_times(workload.times, timeout=workload.burst_delay + 60)
        reader.wait_shown(finished, timeout=120)
        reader.stop()
        outcome = Outcome(reader, started, finished)
        samples.lost.append(outcome.lost)
        samples.whole.append(outcome.whole)
        samples.in_order.append(outcome.in_order)
        if started - max(launched, healthy_at) < ATTACH_S:
            samples.notes.append(f"the burst began only {started - max(launched, healthy_at):.2f} s after the follower"
                                 " was launched or the services were healthy: raise --burst-delay")

        # 2b. The burst again, no follower attached: into the manager's log file, and the floor.
        into_file(manager, workload, samples)

        # 3. Status command latency.
        status = manager.status_command()
        if status is not None:
            cmd, env = status
            samples.status += [timed(cmd, env, workload.dir) for _ in range(status_runs)]

        # 4. Memory of the manager's own processes, with the workload up and the burst behind it.
        own = manager.daemon_pids() + manager.helper_pids()
        samples.memory.append(pss_mb(own))
        samples.rss.append(rss_mb(own))  # beside PSS: RSS counts shared pages in every process

        # 5. SIGKILL -> healthy again, the services in turn.
        if manager.restarts:
            for i in range(kills):
                name = SERVICES[i % len(SERVICES)]
                samples.crash.append(crash_once(lambda name=name: manager.pid_of(name), workload.ports[name]))
            # 5b. A hung service (SIGSTOP): does the manager notice, and how soon is it healthy again?
            name = SERVICES[-1]
            samples.hung.append(hang_once(lambda: manager.pid_of(name), workload.ports[name], HANG_CAP_S))

        # 5c. Start all with the daemon up: every program stopped, then the start-all command.
        took = start_all_daemon_up(manager, workload)
        if took is not None:
            samples.start_all.append(took)

        # 6. Stop all: from issuing the command to every process of the manager's gone.
        procs = family(manager.daemon_pids())
        ours |= procs
        start = time.perf_counter()
        manager.stop_all()
        wait_gone(procs)
        samples.stop.append(time.perf_counter() - start)

        if not manager.restarts:
            samples.stops_all.append(crash_without_restart(manager, workload, ours))
    finally:
        try:
            ours |= family(manager.daemon_pids())
        except (OSError, ValueError, psutil.Error):
            pass  # not started, or already gone
        manager.cleanup()
        kill_all(ours)


def into_file(manager: Manager, workload: Workload, samples: Samples) -> None:
    """The writer's second burst into the manager's log file, then the same burst with no manager."""
    measured = file_burst(manager, workload)
    if measured is None:
        return  # the manager keeps no log file
    took, lost, split = measured
    samples.in_file.append(took)
    samples.file_lost.append(lost)
    samples.file_split.append(split)
    samples.file_floor.append(floor_burst(workload))


def crash_without_restart(manager: Manager, workload: Workload, ours: set[psutil.Process]) -> float:
    """For a manager that does not restart: start again, SIGKILL one service once it has been up
    1.5 s, and time until every process of the manager is gone (it must not come back)."""
    manager.start()
    wait_all_healthy(list(workload.ports.values()))
    procs = family(manager.daemon_pids())
    ours |= procs
    name = SERVICES[0]
    old = wait_until(lambda: manager.pid_of(name), 15, what="a pid")
    wait_uptime(old)
    os.kill(old, signal.SIGKILL)
    start = time.perf_counter()
    wait_gone(procs, timeout=30)
    took = time.perf_counter() - start
    if healthy(workload.ports[name]):
        raise SystemExit(f"{manager.label}: {name} answers again after its manager stopped")
    return took
