"""What `platform status` reports: supervisord's view, the daemon's latest samples and crash records.

Health, latency, CPU and memory come from what the daemon's watchdog last measured
(samples.py), with their age: one RPC and two small files, no probe. A process the watchdog has
not probed yet (just started, or a daemon older than the watchdog) is probed here, as is every
process with `fresh=True` (`platform status --probe`).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from platform_cli.procman import health, states
from platform_cli.procman.history import History
from platform_cli.procman.logtail import recent_output
from platform_cli.procman.passwords import load_passwords
from platform_cli.procman.project import Project
from platform_cli.procman.samples import read_samples
from platform_cli.procman.supervisor import ProcessInfo, SupervisorClient

@dataclass
class ProcessStatus:
    name: str
    state: str
    pid: int | None = None
    uptime_s: float | None = None
    restarts: int = 0
    cpu_percent: float | None = None
    memory_bytes: int | None = None
    port: int | None = None
    health: health.HealthResult = health.NO_PROBE
    health_age_s: float | None = None  # how old the probe result is; 0 when probed by this call
    last_exit: dict | None = None
    last_restart: dict | None = None  # the watchdog's latest: {time, reason}
    log_tail: list[str] = field(default_factory=list)
    via_gateway: str | None = None  # the gateway's /health/all view of this service, when there is one
    completed: bool = False  # a task that exited with one of its success codes: done, not down
    next_run: float | None = None  # a scheduled task's next run (unix time)
    # Not running is no fault for it: enabled = false (started only when named) or a scheduled
    # task between runs; `status` exits 0 all the same.
    may_rest: bool = False

    @property
    def healthy(self) -> bool:
        if self.completed:
            return True
        if self.may_rest and self.state in (states.STOPPED, states.ABSENT, states.EXITED) and not self.last_exit_failed:
            return True
        if self.state == states.STARTING:  # still inside startsecs, but a passing probe says it is up
            return self.health.ok is True
        return self.state == states.RUNNING and self.health.ok is not False

    @property
    def last_exit_failed(self) -> bool:
        """EXITED with a code outside its success codes (known only for a task: see completed)."""
        return self.state == states.EXITED and not self.completed

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "state": self.state,
            "pid": self.pid,
            "uptime_s": None if self.uptime_s is None else round(self.uptime_s, 1),
            "restarts": self.restarts,
            "cpu_percent": self.cpu_percent,
            "memory_bytes": self.memory_bytes,
            "port": self.port,
            "health": {**self.health.to_json(), "age_s": None if self.health_age_s is None else round(self.health_age_s, 1)},
            "last_exit": self.last_exit,
            "last_restart": self.last_restart,
            "log_tail": self.log_tail,
            "via_gateway": self.via_gateway,
            "completed": self.completed,
            "next_run": self.next_run,
        }


def take_snapshot(client: SupervisorClient, project: Project, names: list[str], data_dir: Path, fresh: bool = False) -> list[ProcessStatus]:
    # Named processes: ask for those alone (a long Procfile's others would cost time, not news).
    infos = client.infos(names) if names else {p.name: p for p in client.processes()}
    # Procfile order; then anything supervisord still runs that the Procfile no longer names.
    wanted = names or project.names + [n for n in infos if n not in project.processes]
    summary = _caught_up_summary(History(data_dir), [infos[n] for n in wanted if n in infos])
    samples = read_samples(data_dir)
    now = time.time()
    rows = [_row(name, infos.get(name), project, summary) for name in wanted]
    unprobed = []
    for row in rows:
        sample = samples.get(row.name)
        if not (row.pid and row.name in project.processes):
            continue
        if sample and sample.get("pid") == row.pid:
            row.cpu_percent, row.memory_bytes = sample.get("cpu_percent"), sample.get("memory_bytes")
            if not fresh and _use_sampled_health(row, sample, now):
                continue
        if project.processes[row.name].probe.kind != "none":
            unprobed.append(row)
    _probe_now(unprobed, project, load_passwords(project, data_dir) if unprobed else {}, data_dir)
    next_runs = _next_runs(project, data_dir)
    for row in rows:
        row.next_run = next_runs.get(row.name)
        if row.state in (states.FATAL, states.BACKOFF, states.EXITED) and not row.completed:
            row.log_tail = recent_output(data_dir, row.name, 10)
    return rows


def _next_runs(project: Project, data_dir: Path) -> dict[str, float]:
    if not any(spec.schedule for spec in project.processes.values()):
        return {}  # no file to read: `status` stays one RPC and two files
    from platform_cli.procman.schedule import read_next_runs

    return read_next_runs(data_dir)


def _use_sampled_health(row: ProcessStatus, sample: dict, now: float) -> bool:
    found = sample.get("health") or {}
    status = found.get("status")
    if status not in ("ok", "failing", "none"):
        return False  # not probed yet: probe it here
    if status != "none":
        row.health = health.HealthResult(status == "ok", found.get("latency_ms"), found.get("detail") or "")
        row.health_age_s = max(0.0, now - (sample.get("probed_at") or now))
    return True


def _probe_now(rows: list[ProcessStatus], project: Project, passwords: dict[str, str], data_dir: Path) -> None:
    def probe(row: ProcessStatus) -> None:
        spec = project.processes[row.name]
        since = time.time() - row.uptime_s if row.uptime_s is not None else None
        context = health.ProbeContext(row.name, project.dir, data_dir / "logs", since, row.port)
        row.health = health.check(spec.probe, row.port, spec.probe_timeout, passwords.get(row.name), context)
        row.health_age_s = 0.0

    threads = [threading.Thread(target=probe, args=(row,)) for row in rows[1:]]
    for thread in threads:
        thread.start()
    if rows:
        probe(rows[0])
    for thread in threads:
        thread.join()


def _caught_up_summary(history: History, infos: list[ProcessInfo], wait_s: float = 3.0) -> dict:
    """The summary, once the daemon's recorder has recorded the start of every running process.

    The recorder (a thread inside supervisord, recorder.py) writes asynchronously: right after
    `up` the summary may still describe the run before, with its restarts and last exit, which this
    run's start resets. Such a lag is a few milliseconds unless the machine is busy; a recorder
    that cannot write (a full disk) costs `wait_s`.
    """
    deadline = time.monotonic() + wait_s
    while True:
        summary = history.summary()
        behind = [i for i in infos if i.pid and _behind(summary.get(i.name) or {}, i)]
        if not behind or time.monotonic() >= deadline:
            return summary
        time.sleep(0.02)


def _behind(entry: dict, info: ProcessInfo) -> bool:
    """Whether the summary has not yet recorded the start of the run `info` describes.

    The pid of the recorded start tells surely. Comparing start times alone is not enough:
    supervisord gives its start time in whole seconds, so a run begun within the same second as
    the one before (`down` then `up` on a fast machine) looked recorded (a CI failure: the last
    run's restart count shown after `up`). An entry with no start recorded needs no wait: it says
    0 restarts and no exit, as a reset would."""
    if entry.get("pid"):
        return entry["pid"] != info.pid
    return bool(info.started_at and (entry.get("started_at") or info.started_at) < info.started_at)


def _row(name: str, info: ProcessInfo | None, project: Project, summary: dict) -> ProcessStatus:
    spec = project.processes.get(name)
    record = summary.get(name, {})
    return ProcessStatus(
        name=name,
        # supervisord holds only the processes started at some point (`up NAME` loads no others).
        state=info.state if info else (states.STOPPED if spec else states.ABSENT),
        pid=info.pid if info else None,
        uptime_s=info.uptime if info else None,
        restarts=record.get("restarts", 0),
        port=spec.port if spec else None,
        last_exit=record.get("last_exit"),
        last_restart=record.get("last_restart"),
        completed=bool(spec and spec.is_task and info and info.state == states.EXITED and info.exit_status in spec.success_exit_codes),
        may_rest=bool(spec and (not spec.enabled or spec.schedule)),
    )
