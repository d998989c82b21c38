"""The start loop against a fake supervisord and a fake clock: orders, timeouts, a dependency
that never becomes ready, a crash while waiting, tasks gating services (procman/launch.py)."""

from __future__ import annotations

from dataclasses import dataclass, field


from platform_cli.errors import NotReadyError
from platform_cli.procman import states
from platform_cli.procman.health import HealthResult, ProbeSpec
from platform_cli.procman.project import ProcessSpec, Project
from platform_cli.procman.readiness import start_in_order
from platform_cli.procman.supervisor import ProcessInfo


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Script:
    """How one fake program behaves once started: seconds until RUNNING, until its probe passes
    (None: never), until it exits (with `code`), and whether it ends FATAL instead."""

    running_after: float = 0.1
    healthy_after: float | None = 0.3
    exits_after: float | None = None
    code: int = 0
    fatal_after: float | None = None
    initial: str = states.STOPPED


@dataclass
class FakeSupervisor:
    clock: Clock
    scripts: dict[str, Script]
    started: dict[str, float] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)

    def _state(self, name: str) -> tuple[str, int | None]:
        script = self.scripts[name]
        if name not in self.started:
            return script.initial, None
        age = self.clock.now - self.started[name]
        if script.fatal_after is not None:
            return (states.FATAL, 1) if age >= script.fatal_after else (states.BACKOFF if age > script.running_after else states.STARTING, None)
        if script.exits_after is not None and age >= script.exits_after:
            return states.EXITED, script.code
        return (states.RUNNING if age >= script.running_after else states.STARTING), None

    def processes(self):
        out = []
        for name in self.scripts:
            state, code = self._state(name)
            out.append(ProcessInfo(name, state, 1 if state in states.ALIVE else None, None, self.clock.now, code, "", ""))
        return out

    def infos(self, names: list[str]):
        """As SupervisorClient.infos: the named programs it holds, in one call."""
        return {p.name: p for p in self.processes() if p.name in names}

    def start(self, name: str) -> None:
        self.calls.append(name)
        self.started[name] = self.clock.now

    def start_many(self, names: list[str]) -> None:
        for name in names:
            self.start(name)

    def probe(self, spec, password, since):
        script = self.scripts[spec.name]
        if spec.name not in self.started:
            return HealthResult(True, 1.0, "ok") if script.initial == states.RUNNING else HealthResult(False, None, "connection refused")
        age = self.clock.now - self.started[spec.name]
        ok = script.healthy_after is not None and age >= script.healthy_after
        return HealthResult(ok, 1.0, "ok" if ok else "connection refused")


class Log:
    def __init__(self):
        self.lines: list[str] = []

    def waiting(self, name, on):
        self.lines.append(f"{name} waits on {','.join(on)}")

    def starting(self, name, probe):
        self.lines.append(f"{name} starting")

    def ready(self, name, seconds, already):
        self.lines.append(f"{name} ready{' (already)' if already else ''}")

    def note(self, message):
        self.lines.append(message)


def spec(name, depends_on=(), timeout=5.0, **kw):
    conditions = kw.pop("conditions", {})
    extra = {"conditions": conditions} if conditions else {}
    return ProcessSpec(name, "run", None, ProbeSpec("http"), tuple(depends_on), start_timeout=timeout, **kw, **extra)


def run(tmp_path, specs, scripts, names=None):
    clock = Clock()
    fake = FakeSupervisor(clock, scripts)
    log = Log()
    project = Project(tmp_path, {s.name: s for s in specs})
    try:
        start_in_order(fake, project, names, tmp_path, log, clock=clock, sleep=clock.sleep, prober=fake.probe)
    except NotReadyError as exc:
        return fake, log, clock, exc
    return fake, log, clock, None


def test_each_process_starts_only_once_its_dependencies_pass_their_probes(tmp_path):
    specs = [spec("web", ["api"]), spec("redis"), spec("api", ["redis"])]
    fake, log, clock, error = run(tmp_path, specs, {"web": Script(), "redis": Script(healthy_after=1.0), "api": Script()})
    assert error is None
    assert fake.calls == ["redis", "api", "web"]
    assert fake.started["api"] - fake.started["redis"] >= 1.0  # not before redis answered
    assert log.lines.index("redis ready") < log.lines.index("api starting") < log.lines.index("web starting")
    assert "web waits on api" in log.lines and "api waits on redis" in log.lines


def test_a_process_already_running_is_not_started_again(tmp_path):
    fake, log, _, error = run(tmp_path, [spec("redis")], {"redis": Script(initial=states.RUNNING)})
    assert error is None and fake.calls == [] and log.lines == ["redis ready (already)"]


def test_a_probe_that_never_passes_fails_at_the_start_timeout_with_its_detail(tmp_path):
    fake, log, clock, error = run(tmp_path, [spec("web", timeout=2.0)], {"web": Script(healthy_after=None)})
    assert error is not None and "not ready within 2s (GET /health: connection refused)" in error.message
    assert 2.0 < clock.now - 1000.0 < 2.2  # it gave up at the deadline, not before, not long after


def test_a_dependency_that_never_becomes_ready_keeps_its_dependent_unstarted(tmp_path):
    specs = [spec("db", timeout=3.0), spec("web", ["db"])]
    fake, log, _, error = run(tmp_path, specs, {"db": Script(healthy_after=None), "web": Script()})
    assert error is not None and error.message.startswith("db was not ready within 3s")
    assert fake.calls == ["db"] and "web waits on db" in log.lines


def test_a_crash_loop_while_waiting_fails_as_soon_as_it_is_fatal(tmp_path):
    fake, log, clock, error = run(tmp_path, [spec("web", timeout=30.0)], {"web": Script(fatal_after=1.5)})
    assert error is not None and error.message == "web kept exiting and is FATAL"
    assert clock.now - 1000.0 < 2.0  # not the 30 s timeout


def test_a_crash_that_supervisord_recovers_from_is_waited_out(tmp_path):
    # BACKOFF for a while, then RUNNING and healthy: still within the timeout, so ready.
    class Recovering(FakeSupervisor):
        def _state(self, name):
            age = self.clock.now - self.started.get(name, self.clock.now)
            return (states.BACKOFF, 1) if name in self.started and age < 1.0 else super()._state(name)

    clock = Clock()
    fake = Recovering(clock, {"web": Script(healthy_after=1.2)})
    log = Log()
    start_in_order(fake, Project(tmp_path, {"web": spec("web")}), None, tmp_path, log, clock=clock, sleep=clock.sleep, prober=fake.probe)
    assert log.lines == ["web starting", "web ready"]


def test_only_the_named_processes_and_their_dependencies_start(tmp_path):
    specs = [spec("redis"), spec("api", ["redis"]), spec("other")]
    fake, _, _, error = run(tmp_path, specs, {n: Script() for n in ("redis", "api", "other")}, names=["api"])
    assert error is None and fake.calls == ["redis", "api"]


def test_a_service_waiting_for_a_task_starts_only_once_it_completed_successfully(tmp_path):
    specs = [spec("migrate", kind="task", restart="no"), spec("web", ["migrate"], conditions={"migrate": "completed_successfully"})]
    fake, log, _, error = run(tmp_path, specs, {"migrate": Script(exits_after=1.0, code=0), "web": Script()})
    assert error is None and fake.calls == ["migrate", "web"]
    assert fake.started["web"] - fake.started["migrate"] >= 1.0
    assert log.lines.index("migrate ready") < log.lines.index("web starting")


def test_a_task_exiting_with_a_code_outside_its_success_codes_fails_the_start(tmp_path):
    specs = [spec("migrate", kind="task", restart="no", success_exit_codes=(0, 130)), spec("web", ["migrate"])]
    fake, _, _, error = run(tmp_path, specs, {"migrate": Script(exits_after=0.5, code=4), "web": Script()})
    assert error is not None and error.message == "migrate exited with 4" and fake.calls == ["migrate"]
    _, _, _, error = run(tmp_path, specs, {"migrate": Script(exits_after=0.5, code=130), "web": Script()})
    assert error is None


def test_a_started_condition_does_not_wait_for_the_probe(tmp_path):
    specs = [spec("worker", timeout=30.0), spec("web", ["worker"], conditions={"worker": "started"})]
    fake, log, _, error = run(tmp_path, specs, {"worker": Script(healthy_after=5.0), "web": Script()})
    assert error is None and fake.calls == ["worker", "web"]
    assert fake.started["web"] - fake.started["worker"] < 0.1  # right after worker was started


def test_a_command_the_shell_cannot_find_fails_at_once_as_not_found(tmp_path):
    # sh's 127 (main's "not found" report) kept in the pure step, for services and tasks alike.
    fake, _, clock, error = run(tmp_path, [spec("web", timeout=30.0)], {"web": Script(exits_after=0.5, code=127, healthy_after=None)})
    assert error is not None and error.message == "web: not found: run" and clock.now - 1000.0 < 1.0
    _, _, _, error = run(tmp_path, [spec("migrate", kind="task", restart="on_failure")], {"migrate": Script(exits_after=0.2, code=127)})
    assert error is not None and error.message == "migrate: not found: run"


def test_program_word_skips_leading_assignments():
    from platform_cli.procman.launch import program_word

    assert program_word("FOO=1 BAR=x ./serve --port 1") == "./serve"
    assert program_word("'unclosed") == "'unclosed"


def test_an_empty_selection_starts_nothing_and_none_starts_all(tmp_path):
    specs = [spec("redis"), spec("api", ["redis"])]
    fake, log, _, error = run(tmp_path, specs, {n: Script() for n in ("redis", "api")}, names=[])
    assert error is None and fake.calls == [] and log.lines == []
    fake, _, _, error = run(tmp_path, specs, {n: Script() for n in ("redis", "api")}, names=None)
    assert error is None and fake.calls == ["redis", "api"]
