"""What the daemon's watchdog must watch: each process's probe, port and watchdog settings.

`platform up` writes it beside programs.conf, from the Procfile and platform.toml; the
watchdog inside supervisord reads it again whenever it changes. It lives in a file of its own because
supervisord's program sections have no place for these settings, and the daemon must not parse
the Procfile, platform.toml and .env itself (honcho and tomllib would cost it memory and time).
"""

from __future__ import annotations

import json
from pathlib import Path

from platform_cli.procman.atomicfile import write_atomic
from platform_cli.procman.health import ProbeSpec
from platform_cli.procman.probestate import WatchSettings

FILE_NAME = "watch.json"


def write_plan(run_dir: Path, project) -> None:
    """One entry per process of `project` (a procman.project.Project), written atomically."""
    plan = {
        spec.name: {
            "probe": [spec.probe.kind, spec.probe.path, spec.probe.inferred],
            "port": spec.port,
            "interval": spec.probe_interval,
            "timeout": spec.probe_timeout,
            "failure_threshold": spec.failure_threshold,
            "liveness": spec.liveness and spec.probe.kind != "none",
            "liveness_probe": [spec.liveness_probe.kind, spec.liveness_probe.path, spec.liveness_probe.inferred] if spec.liveness_probe else None,
            "liveness_threshold": spec.liveness_threshold,
            "max_memory": spec.max_memory,
            "start_grace": spec.start_timeout,
            "stop_timeout": spec.stop_timeout,
            # Whether its probe authenticates: the password itself stays in data/secrets (passwords.py).
            "password": spec.password,
            "cwd": str(project.dir),  # where an exec probe runs
            "stop_signal": spec.stop_signal,  # how the watchdog ends a hung process
            "schedule": spec.schedule,  # fired by the listener's scheduler (schedule.py)
            # The dependencies whose restarts restart this process (following.py).
            "follows": list(spec.depends_on) if spec.on_dependency_restart == "restart" else [],
        }
        for spec in project.processes.values()
    }
    write_atomic(run_dir / FILE_NAME, json.dumps(plan, sort_keys=True))


class PlanEntry:
    """One process's entry, as the watchdog uses it."""

    def __init__(self, raw: dict):
        kind, path, *inferred = raw["probe"]  # a plan written before `inferred` has two fields
        self.probe = ProbeSpec(kind, path, bool(inferred and inferred[0]))
        own = raw.get("liveness_probe")
        self.liveness_probe = ProbeSpec(*own) if own else None  # None: the readiness probe serves
        self.port = raw["port"]
        self.stop_timeout = float(raw["stop_timeout"])
        self.password = bool(raw.get("password"))
        self.cwd = raw.get("cwd")
        self.stop_signal = raw.get("stop_signal") or "TERM"
        self.schedule = raw.get("schedule")
        self.follows = tuple(raw.get("follows") or ())
        self.settings = WatchSettings(
            interval=float(raw["interval"]), timeout=float(raw["timeout"]), failure_threshold=int(raw["failure_threshold"]),
            liveness=bool(raw["liveness"]), liveness_threshold=int(raw["liveness_threshold"]), max_memory=raw["max_memory"],
            start_grace=float(raw["start_grace"]), probed=kind != "none",
        )

    def __eq__(self, other):
        return isinstance(other, PlanEntry) and vars(self) == vars(other)


def load_plan(run_dir: Path) -> dict[str, PlanEntry]:
    """Name -> entry; {} when `up` has not written one (yet) or it cannot be read."""
    try:
        raw = json.loads((run_dir / FILE_NAME).read_text())
        return {name: PlanEntry(entry) for name, entry in raw.items()}
    except (OSError, ValueError, KeyError, TypeError):
        return {}

