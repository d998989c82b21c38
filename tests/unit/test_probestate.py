"""The watchdog's pure steps, driven with an injected clock: no process, no socket, no sleep."""

from platform_cli.procman.probestate import MEMORY_SAMPLES, ProbeState, WatchSettings, step_memory, step_probe

SETTINGS = WatchSettings(interval=5, timeout=2, failure_threshold=2, liveness=True, liveness_threshold=3, start_grace=20)


def run(state, outcomes, settings=SETTINGS, start=0.0):
    """Step `state` through probe outcomes, one per interval; the reasons given, in order."""
    reasons = []
    for i, ok in enumerate(outcomes):
        state, reason = step_probe(state, ok, 1.0 if ok else None, "ok" if ok else "timed out", start + i * settings.interval, settings)
        reasons.append(reason)
    return state, reasons


def test_liveness_restarts_after_the_threshold_of_failures_in_a_row_once_it_had_passed():
    state, reasons = run(ProbeState(pid=1, started=0.0), [True, False, False, False])
    assert reasons == [None, None, None, "liveness failed 3\u00d7 \u2192 restarted"]
    assert state.restarting == reasons[-1] and state.failures == 3


def test_a_pass_between_failures_starts_the_count_again():
    state, reasons = run(ProbeState(pid=1, started=0.0), [True, False, False, True, False, False])
    assert reasons == [None] * 6 and state.failures == 2


def test_a_restart_is_asked_for_once():
    state, reasons = run(ProbeState(pid=1, started=0.0), [True, False, False, False, False, False])
    assert [r for r in reasons if r] == ["liveness failed 3\u00d7 \u2192 restarted"]


def test_readiness_marks_unhealthy_at_its_own_threshold_before_liveness_acts():
    state = ProbeState(pid=1, started=0.0)
    assert state.healthy(SETTINGS) is None  # not probed yet
    state, _ = run(state, [True, False])
    assert state.healthy(SETTINGS) is True  # one failure, threshold 2
    state, _ = step_probe(state, False, None, "timed out", 12.0, SETTINGS)
    assert state.healthy(SETTINGS) is False and state.restarting is None


def test_a_process_still_starting_is_given_its_start_timeout_before_liveness_counts():
    state, reasons = run(ProbeState(pid=1, started=0.0), [False] * 4)  # t = 0, 5, 10, 15: inside the 20 s grace
    assert reasons == [None] * 4 and state.failures == 4
    state, reason = step_probe(state, False, None, "connection refused", 20.0, SETTINGS)
    assert reason == "liveness failed 5\u00d7 \u2192 restarted"


def test_with_liveness_off_a_failing_process_is_only_unhealthy():
    settings = WatchSettings(liveness=False, failure_threshold=1)
    state, reasons = run(ProbeState(pid=1, started=0.0), [True] + [False] * 10, settings)
    assert reasons == [None] * 11 and state.healthy(settings) is False


def test_memory_past_the_limit_restarts_only_when_it_stays_there():
    settings = WatchSettings(max_memory=300 << 20)
    state = ProbeState(pid=1, started=0.0)
    state, reason = step_memory(state, 400 << 20, settings)
    assert reason is None  # one spike
    state, reason = step_memory(state, 100 << 20, settings)
    assert reason is None and state.over_memory == 0
    for _ in range(MEMORY_SAMPLES - 1):
        state, reason = step_memory(state, 320 << 20, settings)
        assert reason is None
    state, reason = step_memory(state, 320 << 20, settings)
    assert reason == "memory 320 MB > 300 MB \u2192 restarted"


def test_no_memory_limit_never_restarts():
    state, reason = step_memory(ProbeState(pid=1, started=0.0), 10 << 30, WatchSettings())
    assert reason is None


def test_a_liveness_probe_of_its_own_restarts_while_readiness_only_marks_unhealthy():
    state = ProbeState(pid=1, started=0.0)
    state, reason = step_probe(state, True, 1.0, "ok", 0.0, SETTINGS, live_ok=True)
    for t in (5.0, 10.0, 15.0):  # not ready (say, a dependency is down) but alive: no restart
        state, reason = step_probe(state, False, None, "HTTP 503", t, SETTINGS, live_ok=True)
        assert reason is None
    assert state.healthy(SETTINGS) is False and state.live_failures == 0
    for t in (20.0, 25.0):
        state, reason = step_probe(state, True, 1.0, "ok", t, SETTINGS, live_ok=False)
        assert reason is None and state.healthy(SETTINGS) is True
    state, reason = step_probe(state, True, 1.0, "ok", 30.0, SETTINGS, live_ok=False)
    assert reason == "liveness failed 3\u00d7 \u2192 restarted"


def test_a_process_that_has_not_passed_since_it_started_is_not_called_unhealthy_yet():
    # A probe sampled a moment before the service listened must not outlive the readiness `up`
    # saw: until the first pass the watchdog has nothing to say, and `status` probes it itself.
    state, _ = run(ProbeState(pid=1, started=0.0), [False, False, False])
    assert state.healthy(SETTINGS) is None and not state.ready_once
    state, _ = step_probe(state, True, 1.0, "ok", 15.0, SETTINGS)
    assert state.ready_once and state.healthy(SETTINGS) is True
