"""The daemon's watchdog: probes every running process on its interval, samples its CPU and
memory, and restarts one whose liveness probe keeps failing or whose memory stays past its limit.

It runs inside supervisord, in threads started by the recorder (see recorder.py): one thread
per running process, so a probe that hangs until its timeout never delays another process's
probe, nor supervisord's main loop, which only queues events for the recorder. Each result goes through the pure steps of
probestate.py; the latest sample of every process goes to samples.json for `platform status`.

A restart is a signal to the process group, not an RPC: SIGTERM and SIGCONT (a SIGSTOPped
process only sees the TERM once continued), then SIGKILL if it is still there after its
stop_timeout. supervisord then sees an unexpected exit and restarts the program at once, as
after any crash: counted in `restarts`, the exit recorded, with no window in which a person's
`platform stop` could be undone by a startProcess of ours.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

from platform_cli.procman import health, states
from platform_cli.procman.following import Follow, step_follow
from platform_cli.procman.history import History
from platform_cli.procman.pids import PidRecord, alive
from platform_cli.procman.probestate import ProbeState, step_memory, step_probe
from platform_cli.procman.resources import GroupSampler, group_members
from platform_cli.procman.samples import write_samples
from platform_cli.procman.watchplan import PlanEntry, load_plan

RECONCILE_S = 1.0  # a state event wakes the watchdog at once; this is only its safety net
RESTARTING = "RESTARTING"  # the `to` of the event that records a watchdog restart


class Watchdog:
    def __init__(self, data_dir: Path, history: History, clock=time.time, on_plan=None):
        self.data_dir = data_dir
        self.on_plan = on_plan  # called with each plan read (the recorder starts the scheduler from it)
        self.run_dir = data_dir / "supervisor"
        self.history = history
        self.clock = clock
        self.pids = PidRecord(self.run_dir)
        self.lock = threading.Lock()
        self.states: dict[str, str] = {}  # supervisord's state of each program, from its events
        self.watches: dict[str, ProcessWatch] = {}
        self.samples: dict[str, dict] = {}
        self.plan: dict[str, PlanEntry] = {}
        self._plan_stamp = None
        self._wake = threading.Event()
        self._dirty = False
        self.follow = Follow()

    def start(self) -> None:
        # Started with supervisord, before any program: every state it needs comes in an event.
        threading.Thread(target=self._run, name="watchdog", daemon=True).start()

    def observe(self, event: dict) -> None:
        """A PROCESS_STATE event, from the recorder's thread."""
        if event.get("to") == RESTARTING:
            return
        with self.lock:
            self.states[event["name"]] = event["to"]
        self._wake.set()

    def publish(self, name: str, sample: dict | None) -> None:
        with self.lock:
            if sample is None:
                self.samples.pop(name, None)
            else:
                self.samples[name] = sample
            self._dirty = True
        self._wake.set()

    def state_of(self, name: str) -> str | None:
        """supervisord's state of `name`, from its latest event (the scheduler asks)."""
        with self.lock:
            return self.states.get(name)

    def is_running(self, name: str, pid: int) -> bool:
        with self.lock:
            return self.states.get(name) == states.RUNNING and self.pids.live().get(name) == pid

    def _run(self) -> None:
        while True:
            try:
                self._reconcile()
                self._flush()
            except Exception as exc:  # a bad plan or a full disk must not end the watchdog
                _complain(f"watchdog: {type(exc).__name__}: {exc}")
            self._wake.wait(RECONCILE_S)
            self._wake.clear()

    def _reconcile(self) -> None:
        self._reload_plan()
        live = self.pids.live()
        with self.lock:
            running = {n: live[n] for n, s in self.states.items() if s == states.RUNNING and n in live and n in self.plan}
            for name, watch in list(self.watches.items()):
                if running.get(name) != watch.pid or self.plan.get(name) != watch.entry:
                    watch.stop()
                    del self.watches[name]
                    self.samples.pop(name, None)
                    self._dirty = True
            for name, pid in running.items():
                if name not in self.watches:
                    watch = ProcessWatch(self, name, pid, self.plan[name])
                    self.watches[name] = watch
                    watch.start()
            restarts = self._follow_dependencies(running)
        for name, reason in restarts:
            threading.Thread(target=self._restart_dependent, args=(name, running[name], reason), daemon=True).start()

    def _follow_dependencies(self, running: dict[str, int]) -> list[tuple[str, str]]:
        """Dependents to restart now (following.py); under self.lock."""
        followers = {n: e.follows for n, e in self.plan.items() if e.follows}
        if not followers:
            return []
        ready = {}
        for name in running:
            entry = self.plan[name]
            status = (self.samples.get(name) or {}).get("health", {}).get("status")
            ready[name] = (not entry.settings.probed) or (status == "ok" and self.samples[name].get("pid") == running[name])
        self.follow, restarts = step_follow(self.follow, followers, running, ready)
        return restarts

    def _restart_dependent(self, name: str, pid: int, reason: str) -> None:
        """Stop and start it through supervisord, as `platform restart` would (whatever its restart policy)."""
        from platform_cli.procman.stopping import stop_in_waves
        from platform_cli.procman.supervisor import SupervisorClient

        self.record_restart(name, pid, reason)
        try:
            client = SupervisorClient(self.run_dir / "supervisord.sock", timeout=10)
            # A deadline only (supervisord SIGKILLs at its stopwaitsecs): long enough for a stop_command's too.
            for _ in stop_in_waves(client, {}, {name: 2 * self.plan[name].stop_timeout + 1}, [name]):
                pass
            client.start(name)
        except Exception as exc:  # the daemon shutting down, say: nothing to restart any more
            _complain(f"watchdog: cannot restart {name} after its dependency: {type(exc).__name__}: {exc}")

    def _reload_plan(self) -> None:
        try:
            stat = (self.run_dir / "watch.json").stat()
            stamp = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        except FileNotFoundError:
            stamp = None
        if stamp != self._plan_stamp:
            self._plan_stamp = stamp
            self.plan = load_plan(self.run_dir)
            if self.on_plan is not None:
                self.on_plan(self.plan)

    def _flush(self) -> None:
        with self.lock:
            if not self._dirty:
                return
            snapshot, self._dirty = dict(self.samples), False
        write_samples(self.data_dir, snapshot, self.clock())

    def record_restart(self, name: str, pid: int, reason: str) -> None:
        """In the events history; a full disk must not keep the restart from happening."""
        now = self.clock()
        try:
            self.history.record({
                "ts": now,
                "time": datetime.fromtimestamp(now, timezone.utc).isoformat(timespec="milliseconds"),
                "name": name, "from": states.RUNNING, "to": RESTARTING, "pid": pid, "reason": reason,
            })
        except OSError as exc:
            _complain(f"watchdog: cannot record {name}'s restart: {exc}")
        # `logs -f` and `run` show it from that record, as a lifecycle line (lifecycle.py).


class ProcessWatch:
    """One running process (one pid): probed and sampled on its interval until it stops running."""

    def __init__(self, dog: Watchdog, name: str, pid: int, entry: PlanEntry):
        self.dog, self.name, self.pid, self.entry = dog, name, pid, entry
        self.state = ProbeState(pid=pid, started=dog.clock())
        self.sampler = GroupSampler(pid)
        # A redis with `password = true` answers a PING without AUTH with NOAUTH: read, not probed,
        # it would be taken for a hung one and restarted in a loop.
        self.password = _read_password(dog.data_dir, name) if entry.password else None
        # exec probes run in the project folder; a log probe reads this run's lines only (from
        # the start the recorder wrote down). A log probe, once passed, stays passed for this pid:
        # it says the process became ready, and is never a liveness probe (project.py).
        started = (dog.history.summary().get(name) or {}).get("started_at")
        self.context = health.ProbeContext(name, Path(entry.cwd or "."), dog.data_dir / "logs", started, entry.port)
        self._log_passed: health.HealthResult | None = None
        self._stop = threading.Event()
        self.cpu_percent: float | None = None
        self.memory_bytes: int | None = None
        self.sampled_at: float | None = None

    def start(self) -> None:
        threading.Thread(target=self._run, name=f"watch-{self.name}", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        settings = self.entry.settings
        while not self._stop.is_set():
            began = time.monotonic()
            try:
                reason = self._round()
            except Exception as exc:  # never let one process's surprise end its watch silently
                _complain(f"watchdog: {self.name}: {type(exc).__name__}: {exc}")
                reason = None
            if reason and not self._stop.is_set() and self.dog.is_running(self.name, self.pid):
                self.dog.record_restart(self.name, self.pid, reason)
                restart_group(self.pid, self.entry.stop_timeout, getattr(signal, f"SIG{self.entry.stop_signal}", signal.SIGTERM))
                return
            # On the interval from the start of this round: a probe that took its timeout does not
            # stretch the cadence.
            self._stop.wait(max(0.0, settings.interval - (time.monotonic() - began)))

    def _round(self) -> str | None:
        settings, reason = self.entry.settings, None
        if settings.probed:
            result = self._log_passed or health.check(self.entry.probe, self.entry.port, settings.timeout, self.password, self.context)
            if self.entry.probe.kind == "log" and result.ok:
                self._log_passed = result
            live = None
            if self.entry.liveness_probe is not None and settings.liveness:
                live = bool(health.check(self.entry.liveness_probe, self.entry.port, settings.timeout, self.password, self.context).ok)
            self.state, reason = step_probe(self.state, bool(result.ok), result.latency_ms, result.detail, self.dog.clock(),
                                            settings, live_ok=live)
        self.cpu_percent, self.memory_bytes = self.sampler.sample()
        self.sampled_at = self.dog.clock()
        self.state, memory_reason = step_memory(self.state, self.memory_bytes, settings)
        if not self._stop.is_set():
            self.dog.publish(self.name, self.sample())
        return reason or memory_reason

    def sample(self) -> dict:
        state, settings = self.state, self.entry.settings
        healthy = state.healthy(settings)
        status = "none" if not settings.probed else "pending" if healthy is None else "ok" if healthy else "failing"
        return {
            "pid": self.pid,
            "health": {"status": status, "latency_ms": state.latency_ms, "detail": state.detail},
            "probed_at": state.probed_at,
            "failures": state.failures,
            "cpu_percent": self.cpu_percent,
            "memory_bytes": self.memory_bytes,
            "sampled_at": self.sampled_at,
            "restarting": state.restarting,
        }


def _read_password(data_dir: Path, name: str) -> str | None:
    try:
        from platform_cli.procman.passwords import password_path  # only a redis with a password pays for it

        return password_path(data_dir, name).read_text().strip() or None
    except OSError:
        return None  # none made yet: the probe fails and says why (NOAUTH), as `status` would


def restart_group(pid: int, stop_timeout: float, stop_signal: int = signal.SIGTERM) -> bool:
    """End the process group led by `pid` so that supervisord restarts it: its stop_signal (TERM
    unless platform.toml says otherwise) and CONT, then KILL
    after `stop_timeout` s to whatever of the group is left (a shell may die on TERM while the
    program it started ignores it). Returns True once the whole group is gone."""
    for sig in (stop_signal, signal.SIGCONT):
        _signal_group(pid, sig)
    if _wait_group_gone(pid, stop_timeout):
        return True
    try:
        os.killpg(pid, signal.SIGKILL)  # the leader may be gone: the group is still there
    except (ProcessLookupError, PermissionError):
        pass
    return _wait_group_gone(pid, 5)


def _wait_group_gone(pgid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not alive(pgid) and not group_members(pgid):
            return True
        time.sleep(0.05)
    return False


def _signal_group(pid: int, sig: int) -> None:
    try:
        if os.getpgid(pid) == pid:
            os.killpg(pid, sig)
        else:
            os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _complain(message: str) -> None:
    from platform_cli.procman.complaints import complain

    complain(message)
