"""What the daemon's watchdog knows of one running process, stepped by pure functions.

Each probe result and each memory sample moves a `ProbeState` to the next one and may ask for a
restart. Nothing here sleeps, probes or signals: the clock (`now`) and the results are passed in,
so a unit test walks a process through timeouts, recoveries and leaks in microseconds, as
supervisor tests its `Subprocess.transition` with dummy options. Named tuples, not dataclasses:
this runs inside supervisord, where `dataclasses` (which imports inspect, ast and dis) would
cost ~0.9 MB of the daemon's memory.
"""

from __future__ import annotations

from typing import NamedTuple

MEMORY_SAMPLES = 2  # samples in a row above max_memory before a restart: one spike is not a leak


class WatchSettings(NamedTuple):
    """One process's watchdog settings, from platform.toml (see project.py for the defaults)."""

    interval: float = 5.0
    timeout: float = 2.0
    failure_threshold: int = 1
    liveness: bool = True
    liveness_threshold: int = 3
    max_memory: int | None = None
    start_grace: float = 20.0  # start_timeout: a process that never passed may fail this long first
    probed: bool = True  # False: `probe = "none"`, only resources are sampled


class ProbeState(NamedTuple):
    pid: int
    started: float  # when the watchdog first saw this pid running
    ok: bool | None = None  # the latest probe; None before the first one (or with no probe)
    latency_ms: float | None = None
    detail: str = "not probed yet"
    probed_at: float | None = None
    failures: int = 0  # probes failed in a row
    live_failures: int = 0  # liveness probes failed in a row (the same probe, unless it has its own)
    passed_once: bool = False  # its liveness probe has passed since this pid started
    ready_once: bool = False  # its (readiness) probe has passed since this pid started
    over_memory: int = 0  # memory samples in a row above max_memory
    restarting: str | None = None  # the reason, once a restart was asked for

    def healthy(self, settings: WatchSettings) -> bool | None:
        """None: nothing to say yet (no probe, not probed yet, or not yet ready since it started).
        A process still coming up is not unhealthy: until its first pass, `up` (or `status`, which
        then probes it itself) has the fresher word, so a failure sampled a moment before a
        service listened never outlives the readiness `up` saw."""
        if not settings.probed or self.probed_at is None or not self.ready_once:
            return None
        return self.failures < settings.failure_threshold


def step_probe(state: ProbeState, ok: bool, latency_ms: float | None, detail: str, now: float,
               settings: WatchSettings, live_ok: bool | None = None) -> tuple[ProbeState, str | None]:
    """The state after one round of probes, and the reason to restart the process (None: leave it
    be). `live_ok` is the liveness probe's result when it has its own, else the same as `ok`."""
    live_ok = ok if live_ok is None else live_ok
    live_failures = 0 if live_ok else state.live_failures + 1
    state = state._replace(ok=ok, latency_ms=latency_ms, detail=detail, probed_at=now, failures=0 if ok else state.failures + 1,
                    live_failures=live_failures, passed_once=state.passed_once or live_ok, ready_once=state.ready_once or ok)
    if live_ok or state.restarting or not settings.liveness:
        return state, None
    # A process still starting up is the start timeout's business, not liveness's.
    counting = state.passed_once or now - state.started >= settings.start_grace
    if counting and live_failures >= settings.liveness_threshold:
        reason = f"liveness failed {live_failures}\u00d7 \u2192 restarted"
        return state._replace(restarting=reason), reason
    return state, None


def step_memory(state: ProbeState, memory_bytes: int | None, settings: WatchSettings) -> tuple[ProbeState, str | None]:
    """The state after one memory sample of the process group, and the reason to restart it."""
    if settings.max_memory is None or memory_bytes is None:
        return state, None
    over = state.over_memory + 1 if memory_bytes > settings.max_memory else 0
    state = state._replace(over_memory=over)
    if over >= MEMORY_SAMPLES and not state.restarting:
        reason = f"memory {_mb(memory_bytes)} > {_mb(settings.max_memory)} \u2192 restarted"
        return state._replace(restarting=reason), reason
    return state, None


def _mb(n: int) -> str:
    return f"{n / (1 << 20):.0f} MB"
