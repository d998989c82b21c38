"""What `platform status` reports: supervisord's view, the probes, resource use and crash records."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from platform_cli.procman import health, states
from platform_cli.procman.history import History
from platform_cli.procman.logtail import recent_output
from platform_cli.procman.project import Project
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
    last_exit: dict | None = None
    log_tail: list[str] = field(default_factory=list)
    via_gateway: str | None = None  # the gateway's /health/all view of this service, when there is one

    @property
    def healthy(self) -> bool:
        if self.state == states.STARTING:  # still inside startsecs, but a passing probe says it is up
            return self.health.ok is True
        return self.state == states.RUNNING and self.health.ok is not False

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
            "health": self.health.to_json(),
            "last_exit": self.last_exit,
            "log_tail": self.log_tail,
            "via_gateway": self.via_gateway,
        }


def take_snapshot(client: SupervisorClient, project: Project, names: list[str], data_dir: Path) -> list[ProcessStatus]:
    # Named processes: ask for those alone (a long Procfile's others would cost time, not news).
    infos = client.infos(names) if names else {p.name: p for p in client.processes()}
    # Procfile order; then anything supervisord still runs that the Procfile no longer names.
    wanted = names or project.names + [n for n in infos if n not in project.processes]
    summary = History(data_dir).summary()
    rows = [_row(name, infos.get(name), project, summary) for name in wanted]
    probed = [r for r in rows if r.pid and r.name in project.processes]

    def probe(row: ProcessStatus) -> None:
        row.health = health.check(project.processes[row.name].probe, row.port, 1.0)

    threads = [threading.Thread(target=probe, args=(row,)) for row in probed[1:]]
    for thread in threads:
        thread.start()
    if probed:
        probe(probed[0])
    for thread in threads:
        thread.join()
    for row in rows:
        if row.state in (states.FATAL, states.BACKOFF, states.EXITED):
            row.log_tail = recent_output(data_dir, row.name, 10)
    return rows


def _row(name: str, info: ProcessInfo | None, project: Project, summary: dict) -> ProcessStatus:
    spec = project.processes.get(name)
    record = summary.get(name, {})
    alive = bool(info and info.pid)
    return ProcessStatus(
        name=name,
        state=info.state if info else states.ABSENT,
        pid=info.pid if info else None,
        uptime_s=info.uptime if info else None,
        restarts=record.get("restarts", 0),
        # Sampled by the event listener every 5 s; a sample from before a restart is not this process's.
        cpu_percent=record.get("cpu_percent") if alive and _sampled_since(record, info) else None,
        memory_bytes=record.get("memory_bytes") if alive and _sampled_since(record, info) else None,
        port=spec.port if spec else None,
        last_exit=record.get("last_exit"),
    )


def _sampled_since(record: dict, info: ProcessInfo) -> bool:
    return bool(info.started_at and record.get("sampled_at", 0) >= info.started_at)
