"""One process's way from "asked for" to "ready", stepped by a pure function.

`platform up` starts processes in dependency order and waits for each to be ready. The wait was
one loop with seven mutable locals; here each process is a small frozen `Launch` (phase, when it
was started, the last probe) and `step_launch` moves it on, given what was observed (the clock,
supervisord's state, a probe result) and what its dependencies have reached. Nothing here sleeps,
probes or calls supervisord, so a unit test walks a process through orders, timeouts and crashes
in microseconds, as supervisor tests its `Subprocess.transition` with dummy options.

Dependency conditions follow docker compose's `depends_on`: `started` (it was started, or found
running), `healthy` (its probe passed; a task: it completed successfully) and
`completed_successfully` (a task exited with one of its success codes).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from platform_cli.procman import states
from platform_cli.procman.health import HealthResult

# Phases of a Launch.
BLOCKED = "blocked"  # waiting on a dependency; not started by us yet
STARTED = "started"  # started (or found running), not ready yet
READY = "ready"  # its probe passed (a task: it completed successfully)

NOT_FOUND_EXIT = 127  # what sh exits with when it cannot find the command

# depends_on conditions (compose's names, without the `service_` prefix).
STARTED_CONDITION = "started"
HEALTHY = "healthy"
COMPLETED = "completed_successfully"
CONDITIONS = (STARTED_CONDITION, HEALTHY, COMPLETED)


@dataclass(frozen=True)
class Launch:
    name: str
    phase: str = BLOCKED
    started: float | None = None  # the clock when we started it, or found it running
    already: bool = False  # found running: `up` did not start it
    last_probe: HealthResult | None = None
    told_waiting: bool = False  # the reporter heard which dependencies it waits on


@dataclass(frozen=True)
class Observation:
    now: float
    state: str  # supervisord's state name, or states.ABSENT
    exit_status: int | None = None
    probe: HealthResult | None = None  # only when wants_probe() said so


@dataclass(frozen=True)
class Start:
    """Ask supervisord to start it (after checking its port is free)."""


@dataclass(frozen=True)
class Waiting:
    on: tuple[str, ...]


@dataclass(frozen=True)
class Ready:
    seconds: float
    already: bool


@dataclass(frozen=True)
class Failed:
    message: str
    not_found: bool = False  # the shell found no such command: the message says why already


Action = Start | Waiting | Ready | Failed | None


def condition_met(condition: str, launch: Launch) -> bool:
    """Has the dependency `launch` reached `condition`?"""
    if condition == STARTED_CONDITION:
        return launch.phase in (STARTED, READY)
    return launch.phase == READY  # healthy; completed_successfully (checked a task at load time)


def wants_probe(launch: Launch, spec, state: str) -> bool:
    """Whether the shell should probe it before the next step (probing is I/O, done outside)."""
    return launch.phase == STARTED and not _is_task(spec) and state in states.ALIVE


def step_launch(launch: Launch, spec, seen: Observation, deps: dict[str, Launch]) -> tuple[Launch, Action]:
    """The next Launch of `spec`'s process and what to do about it. `deps`: its dependencies'
    Launches (every name in spec.depends_on)."""
    if launch.phase == READY:
        return launch, None
    if launch.phase == BLOCKED:
        conditions = getattr(spec, "conditions", None) or {}
        blockers = tuple(d for d in spec.depends_on if not condition_met(conditions.get(d, HEALTHY), deps[d]))
        if blockers:
            if launch.told_waiting:
                return launch, None
            return replace(launch, told_waiting=True), Waiting(blockers)
        if seen.state in states.ALIVE:
            return replace(launch, phase=STARTED, started=seen.now, already=True), None
        return replace(launch, phase=STARTED, started=seen.now), Start()
    return _step_started(launch, spec, seen)


def _step_started(launch: Launch, spec, seen: Observation) -> tuple[Launch, Action]:
    elapsed = seen.now - launch.started
    if seen.state == states.FATAL:
        return launch, Failed(f"{spec.name} kept exiting and is FATAL")
    if seen.state in (states.BACKOFF, states.EXITED) and seen.exit_status == NOT_FOUND_EXIT:
        # The shell found no such command: retrying cannot help, say so now, every time.
        return launch, Failed(f"{spec.name}: not found: {program_word(spec.command)}", not_found=True)
    if _is_task(spec):
        if seen.state == states.EXITED and seen.exit_status is not None:
            if seen.exit_status in spec.success_exit_codes:
                return replace(launch, phase=READY), Ready(elapsed, launch.already)
            if spec.restart == "no":
                return launch, Failed(f"{spec.name} exited with {seen.exit_status}")
    elif seen.state in states.ALIVE and seen.probe is not None:
        launch = replace(launch, last_probe=seen.probe)
        if seen.probe.ok or (seen.probe.ok is None and seen.state == states.RUNNING):
            return replace(launch, phase=READY), Ready(elapsed, launch.already)
    if elapsed > spec.start_timeout:
        probe = launch.last_probe
        why = f"{spec.probe.describe()}: {probe.detail}" if probe and probe.ok is False else f"state {seen.state}"
        return launch, Failed(f"{spec.name} was not ready within {spec.start_timeout:g}s ({why})")
    return launch, None


def _is_task(spec) -> bool:
    return getattr(spec, "kind", "service") == "task"


def program_word(command: str) -> str:
    """The program a Procfile command runs: its first word that is not a `VAR=value`."""
    import shlex

    try:
        words = shlex.split(command)
    except ValueError:
        words = command.split()
    return next((w for w in words if not ("=" in w and w.split("=", 1)[0].isidentifier())), command)
