"""Starting processes in dependency order: each starts only once everything it depends on is ready."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Protocol

from platform_cli.errors import NotReadyError, PortInUseError
from platform_cli.procman import health, states
from platform_cli.procman.history import History
from platform_cli.procman.launch import BLOCKED, READY, STARTED, Failed, Launch, Observation, Ready, Start, Waiting, step_launch, wants_probe
from platform_cli.procman.logtail import recent_output
from platform_cli.procman.passwords import load_passwords
from platform_cli.procman.project import Project
from platform_cli.procman.supervisor import SupervisorClient

POLL_S = 0.02  # probes: a service is seen ready within 20 ms of answering
# What a process supervisord spawned can be in by the time we look: one that already crashed
# (BACKOFF, EXITED, FATAL) is ours all the same, not one to start again (that cut its backoff short).
SPAWNED_STATES = frozenset({states.STARTING, states.RUNNING, states.BACKOFF, states.EXITED, states.FATAL})
STATES_EVERY_S = 0.1  # supervisord's view: asking it costs CPU that booting services need (bench/compare)


class Reporter(Protocol):
    """Told of each step, so that the CLI can show progress without this module knowing how."""

    def waiting(self, name: str, on: list[str]) -> None: ...
    def starting(self, name: str, probe: str) -> None: ...
    def ready(self, name: str, seconds: float, already: bool) -> None: ...
    def note(self, message: str) -> None: ...


class QuietReporter:
    def waiting(self, name, on):
        pass

    def starting(self, name, probe):
        pass

    def ready(self, name, seconds, already):
        pass

    def note(self, message):
        pass


def start_in_order(
    client: SupervisorClient,
    project: Project,
    names: list[str] | None,
    data_dir: Path,
    reporter: Reporter = QuietReporter(),
    clock=time.monotonic,
    sleep=time.sleep,
    prober=None,
    spawned: frozenset[str] = frozenset(),
    spawned_at: float | None = None,
) -> list[str]:
    """Start `names` (all when None, none when empty) and their dependencies; return once all are ready.

    spawned: processes supervisord was told to spawn as it booted (daemon_entry, change 11), at
    `spawned_at` (time.time()): found alive, they are ours, started then, not "already running".

    The shell around launch.step_launch: it asks supervisord, probes, starts and reports; the
    decisions are the pure step's. clock, sleep and prober (spec, password) -> HealthResult are
    injected so that a unit test drives this against a fake supervisord (prober: (spec, password,
    started_at) -> HealthResult, started_at being supervisord's start time of the process)."""
    order = project.start_order(names)
    passwords = load_passwords(project, data_dir)
    prober = prober or (lambda spec, password, since: probe_process(spec, project.dir, data_dir, password, since))
    # A scheduled task runs when its schedule says (the daemon fires it), unless named here.
    launches = {name: Launch(name, phase=READY) if project.processes[name].schedule and name not in (names or ())
                else Launch(name) for name in order}
    infos, asked = {}, None
    # When we asked for each start, to the microsecond: a log probe counts lines from then, while
    # supervisord's own start time is whole seconds (a line of the run before could pass).
    asked_start: dict[str, float] = {name: spawned_at for name in spawned} if spawned_at else {}
    while any(launch.phase != READY for launch in launches.values()):
        now = clock()
        if asked is None or now - asked >= STATES_EVERY_S:
            infos, asked = client.infos(order), now  # only these: a long Procfile's others cost time
        starts: list[str] = []  # asked for in one round-trip once the pass is over
        for name in order:
            spec = project.processes[name]
            info = infos.get(name)
            state = info.state if info else states.ABSENT
            since = asked_start.get(name) or (info.started_at if info else None)
            if name in spawned and launches[name].phase == BLOCKED and state in SPAWNED_STATES:
                ago = max(0.0, time.time() - spawned_at) if spawned_at else 0.0
                launches[name] = replace(launches[name], phase=STARTED, started=now - ago)
                reporter.starting(name, _describe(spec))
            probe = prober(spec, passwords.get(name), since) if wants_probe(launches[name], spec, state) else None
            seen = Observation(now, state, info.exit_status if info else None, probe)
            launch, action = step_launch(launches[name], spec, seen, {d: launches[d] for d in spec.depends_on})
            launches[name] = launch
            if isinstance(action, Waiting):
                reporter.waiting(name, list(action.on))
            elif isinstance(action, Start):
                if spec.port is not None and not health.port_is_free(spec.port):
                    raise port_in_use(name, spec.port)
                starts.append(name)
            elif isinstance(action, Ready):
                reporter.ready(name, action.seconds, action.already)
            elif isinstance(action, Failed):
                raise _not_ready(name, action.message, data_dir, not_found=action.not_found)
        if starts:  # in order: one that waits for another to be started comes after it
            asked_start |= dict.fromkeys(starts, time.time())
            client.start_many(starts)
            for name in starts:
                reporter.starting(name, _describe(project.processes[name]))
            asked = None  # their new states, on the next pass
        if any(launch.phase != READY for launch in launches.values()):
            sleep(POLL_S)
    return order


def probe_process(spec, project_dir: Path, data_dir: Path, password: str | None, since: float | None,
                  timeout: float = 0.5) -> health.HealthResult:
    """One readiness probe of a process. Network probes get `timeout` (short: they are repeated
    every 20 ms); a command gets its probe_timeout, as it would under the watchdog."""
    context = health.ProbeContext(spec.name, project_dir, data_dir / "logs", since, spec.port)
    wait = spec.probe_timeout if spec.probe.kind == "exec" else timeout
    return health.check(spec.probe, spec.port, timeout=wait, password=password, context=context)


def _describe(spec) -> str:
    return "until it completes" if getattr(spec, "kind", "service") == "task" else spec.probe.describe()


def port_in_use(name: str, port: int) -> PortInUseError:
    from platform_cli.procman.portholder import find_port_holder

    holder = find_port_holder(port)
    by = f"by {holder.describe()}" if holder else "by another program"
    return PortInUseError(f"port {port} for {name} is already in use {by}",
                          hint=f"stop that program, or give {name} another port in platform.toml")


def _not_ready(name: str, message: str, data_dir: Path, not_found: bool = False) -> NotReadyError:
    """not_found: the message says why already (exit 127, which the recorder may or may not have
    recorded yet: it is left out, so the message is the same every time); wait for the shell's line."""
    last = None if not_found else History(data_dir).summary().get(name, {}).get("last_exit")
    if last:
        message += f"; last exit: {last['exit']}"
    lines = recent_output(data_dir, name, 20)
    deadline = time.monotonic() + 1.0
    while not_found and not lines and time.monotonic() < deadline:  # supervisord may not have read the pipe yet
        time.sleep(POLL_S)
        lines = recent_output(data_dir, name, 20)
    details = [f"last {len(lines)} log lines of {name}:", *(f"  {line}" for line in lines)] if lines else [f"{name} wrote no output"]
    return NotReadyError(message, hint=f"see `platform logs {name}` and `platform status {name}`", details=details)
