"""`platform reload NAME`: replace every instance of a process with a fresh one, health-gated,
without a failed request through the gateway, and back out if the new code cannot serve.

For a process with N instances (orders, orders.2, ...):

1. a surge instance, orders.<N+1>, starts with the code now on disk; once ready it enters the
   gateway's rotation (registry.json). If it is not ready within its start_timeout, or crash-
   loops to FATAL, the reload stops here: the surge is removed, the old instances never left
   the rotation, and the error names the process and shows its last log lines (rollback).
2. each old instance in turn is marked draining (the gateway sends it nothing new), given
   DRAIN_S, stopped with SIGTERM (a service finishes its in-flight requests, up to its
   stop_timeout), started again on the new code and, once ready, put back into rotation. If it
   fails to become ready, it stays out of rotation, stopped, and the reload stops with the error:
   the instances already reloaded and the surge keep serving.
3. the surge is drained and removed.

So at least N instances serve at every moment. A reload restarts processes whatever their
identity says (the code changed, not the Procfile). `up` applies a change of command, settings
or .env to a process behind another this same way (roll_changed): the instances not yet
replaced are *held* (their loaded sections written back as they were) until their turn.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from platform_cli.errors import NotReadyError, PlatformError
from platform_cli.procman.instances import make_registry, write_registry
from platform_cli.procman.readiness import Reporter, start_in_order
from platform_cli.procman.scaling import DRAIN_S, drain
from platform_cli.procman.stopping import stop_and_wait


@dataclass
class Stage:
    """What supervisord should run: a project (with some instance counts), its programs, and
    how to render them (kept sections in, programs.conf out)."""

    project: object
    programs: list
    render: Callable[[dict[str, str]], str]


class RollingReload:
    def __init__(self, rollout, client, data_dir: Path, build: Callable[[dict[str, int]], Stage], reporter: Reporter,
                 drain_s: float = DRAIN_S, hold: set[str] | None = None):
        """rollout: rollout.Rollout; build(scale): the Stage with those instance counts over the
        current ones; hold: running instances whose changed config waits for their turn."""
        self.rollout, self.client, self.data_dir, self.build = rollout, client, data_dir, build
        self.reporter, self.drain_s = reporter, drain_s
        self.hold = set(hold or ())

    def reload(self, name: str) -> list[str]:
        """Reload every instance of `name`; returns them. NotReadyError: stopped (see the module)."""
        from platform_cli.errors import ConfigError
        from platform_cli.procman.project import MAX_INSTANCES

        base = self.build({})
        olds = base.project.instances_of(name)
        if len(olds) >= MAX_INSTANCES:
            raise ConfigError(f"{name} runs {len(olds)} instances: a reload needs a port for one more (at most {MAX_INSTANCES} a process)",
                              hint=f"scale it down first: platform scale {name}={MAX_INSTANCES - 1}")
        surge_stage = self.build({name: len(olds) + 1})
        surge = f"{name}.{len(olds) + 1}"
        self.reporter.note(f"{name}: starting {surge} on the new code")
        try:
            self._apply(surge_stage, [surge])
        except PlatformError as exc:  # not ready, FATAL, its port taken, ...: nothing of the old changed yet
            self.reporter.note(f"{surge} did not become ready: removing it; {', '.join(olds)} keep serving")
            self._apply(base, olds)  # removes the surge: stopped, so its last words are in its log
            write_registry(self.data_dir, make_registry(base.project))
            details = exc.details or (self._last_lines(surge) if isinstance(exc, NotReadyError) else [])
            raise type(exc)(f"reload of {name} rolled back: {exc.message}", hint=exc.hint or f"see `platform logs {name}` and fix it",
                            details=details) from None
        project = surge_stage.project
        write_registry(self.data_dir, make_registry(project))  # the surge in rotation
        for old in olds:
            self.reporter.note(f"{old}: draining, then restarting on the new code")
            drain(self.data_dir, project, [old], self.drain_s)
            self.hold.discard(old)
            try:
                if old in self.rollout.stale(surge_stage.programs):  # its config changed: load it as it restarts
                    self._apply(surge_stage, [old])
                else:  # the code changed: the same config, a new process
                    stop_and_wait(self.client, project, [old])
                    start_in_order(self.client, project, [old], self.data_dir, self.reporter)
            except PlatformError as exc:
                stop_and_wait(self.client, project, [old])
                write_registry(self.data_dir, make_registry(project, absent={old}))
                raise type(exc)(f"reload of {name} stopped at {old}: {exc.message}; the others keep serving",
                                hint=exc.hint, details=exc.details) from None
            write_registry(self.data_dir, make_registry(project))
        self.reporter.note(f"{surge}: draining, then removing")
        drain(self.data_dir, project, [surge], self.drain_s)
        self._apply(base, olds)
        write_registry(self.data_dir, make_registry(base.project))
        return olds

    def _last_lines(self, name: str) -> list[str]:
        """What a process that failed to spawn wrote (supervisord's SPAWN_ERROR carries none of it)."""
        from platform_cli.procman.logtail import recent_output

        lines = recent_output(self.data_dir, name, 20)
        return [f"last {len(lines)} log lines of {name}:", *(f"  {line}" for line in lines)] if lines else [f"{name} wrote no output"]

    def reload_recorded(self, name: str) -> list[str]:
        """reload(), its outcome kept for `status`, `events` and `logs -f` (reloads.py)."""
        from platform_cli.procman.reloads import record

        try:
            done = self.reload(name)
        except PlatformError as exc:
            # Its last log line is most often the cause (a SyntaxError, an ImportError): kept with it.
            last = next((d.strip() for d in reversed(exc.details) if d.startswith("  ") and d.strip()), "")
            record(self.data_dir, name, exc.message + (f" | last log line: {last}" if last else ""))
            raise
        record(self.data_dir, name, None)
        return done

    def _apply(self, stage: Stage, wanted: list[str]) -> list[str]:
        return self.rollout.apply(stage.project, stage.programs, stage.render, wanted, self.data_dir, self.reporter,
                                  hold=frozenset(self.hold))


def roll_changed(rollout, client, data_dir: Path, build: Callable[[dict[str, int]], Stage], reporter: Reporter) -> list[str]:
    """For `up`: each process behind another whose running instances' config changed is
    reloaded the rolling way (before `up`'s own pass, which then finds them current); returns them."""
    stage = build({})
    stale = rollout.stale(stage.programs)
    families = [f for f in reloadable(stage.project) if any(i in stale for i in stage.project.instances_of(f))]
    if not families:
        return []
    instances = {i for f in families for i in stage.project.instances_of(f)}
    # What they depend on restarts first, as `up` orders it; what depends on them (the gateway)
    # and anything unrelated waits for `up`'s own pass, after them.
    needed = set(stage.project.start_order(families)) - instances
    rolling = RollingReload(rollout, client, data_dir, build, reporter, hold=instances | (stale - needed))
    for name in families:
        reporter.note(f"{name}: its config changed: rolling reload")
        rolling.reload_recorded(name)
    return families


def reloadable(project) -> list[str]:
    """What `reload --all` reloads: each process (by Procfile name) reached over http that another
    depends on, i.e. one behind something; a front (the gateway), which clients reach at its one
    port, cannot be surged and is left to `restart`."""
    needed = {d for spec in project.processes.values() for d in spec.depends_on}
    return [n for n, spec in project.processes.items()
            if not spec.base and n in needed and spec.url is not None and spec.url.startswith("http")]
