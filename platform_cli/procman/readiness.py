"""Starting processes in dependency order: each starts only once everything it depends on is ready."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Protocol

from platform_cli.errors import NotReadyError, PortInUseError
from platform_cli.procman import health, states
from platform_cli.procman.history import History
from platform_cli.procman.logtail import recent_output
from platform_cli.procman.passwords import load_passwords
from platform_cli.procman.project import Project
from platform_cli.procman.supervisor import SupervisorClient

NOT_FOUND_EXIT = 127  # what sh exits with when it cannot find the command
POLL_S = 0.02  # probes: a service is seen ready within 20 ms of answering
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
) -> list[str]:
    """Start `names` (all when empty) and their dependencies; return once all are ready."""
    order = project.start_order(names)
    passwords = load_passwords(project, data_dir)
    started: dict[str, float] = {}  # name -> monotonic time we started (or found) it
    already: set[str] = set()
    ready: set[str] = set()
    told_waiting: set[str] = set()
    last_health: dict[str, health.HealthResult] = {}
    infos, asked = {}, None
    while len(ready) < len(order):
        now = time.monotonic()
        if asked is None or now - asked >= STATES_EVERY_S:
            infos, asked = client.infos(order), now  # only these: a long Procfile's others cost time
        for name in order:
            if name in ready:
                continue
            spec = project.processes[name]
            state = infos[name].state if name in infos else states.ABSENT
            if name not in started:
                blockers = [d for d in spec.depends_on if d not in ready]
                if blockers:
                    if name not in told_waiting:
                        reporter.waiting(name, blockers)
                        told_waiting.add(name)
                    continue
                if state in states.ALIVE:
                    already.add(name)
                else:
                    if spec.port is not None and not health.port_is_free(spec.port):
                        raise _port_in_use(name, spec.port)
                    client.start(name)
                    reporter.starting(name, spec.probe.describe())
                    asked = None  # its new state, on the next pass
                started[name] = now
                continue
            if state == states.FATAL:
                raise _not_ready(name, f"{name} kept exiting and is FATAL", data_dir)
            if state in (states.BACKOFF, states.EXITED, states.FATAL) and infos[name].exit_status == NOT_FOUND_EXIT:
                # The shell found no such command: retrying cannot help, say so now, every time.
                raise _not_ready(name, f"{name}: not found: {program_word(spec.command)}", data_dir, not_found=True)
            if state in states.ALIVE:
                result = health.check(spec.probe, spec.port, timeout=0.5, password=passwords.get(name))
                last_health[name] = result
                if result.ok or (result.ok is None and state == states.RUNNING):
                    ready.add(name)
                    reporter.ready(name, now - started[name], name in already)
                    continue
            if now - started[name] > spec.start_timeout:
                probe = last_health.get(name)
                why = f"{spec.probe.describe()}: {probe.detail}" if probe and probe.ok is False else f"state {state}"
                raise _not_ready(name, f"{name} was not ready within {spec.start_timeout:g}s ({why})", data_dir)
        if len(ready) < len(order):
            time.sleep(POLL_S)
    return order


def program_word(command: str) -> str:
    """The program a Procfile command runs: its first word that is not a `VAR=value`."""
    import shlex

    try:
        words = shlex.split(command)
    except ValueError:
        words = command.split()
    return next((w for w in words if not ("=" in w and w.split("=", 1)[0].isidentifier())), command)


def _port_in_use(name: str, port: int) -> PortInUseError:
    from platform_cli.procman.portholder import find_port_holder

    holder = find_port_holder(port)
    by = f"by {holder.describe()}" if holder else "by another program"
    return PortInUseError(f"port {port} for {name} is already in use {by}",
                          hint=f"stop that program, or give {name} another port in platform.toml")


def _not_ready(name: str, message: str, data_dir: Path, not_found: bool = False) -> NotReadyError:
    """not_found: the message says why already (exit 127, which the listener may or may not have
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
