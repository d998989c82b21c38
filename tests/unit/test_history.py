import json

from platform_cli.procman import history as history_module
from platform_cli.procman.history import History
from platform_cli.procman.recorder import parse_event


def event(name, frm, to, **extra):
    return {"name": name, "from": frm, "to": to, "time": "2026-01-01T00:00:00.000+00:00", "ts": 0.0, **extra}


def make(tmp_path):
    (tmp_path / "supervisor").mkdir()
    return History(tmp_path)


def test_automatic_restarts_are_counted_and_a_manual_start_resets_the_count(tmp_path):
    history = make(tmp_path)
    history.record(event("web", "STOPPED", "STARTING"))
    history.record(event("web", "RUNNING", "EXITED", exit="SIGKILL", expected=False))
    history.record(event("web", "EXITED", "STARTING"))
    history.record(event("web", "STARTING", "BACKOFF", exit="1"))
    history.record(event("web", "BACKOFF", "STARTING"))
    assert history.summary()["web"]["restarts"] == 2
    assert history.summary()["web"]["last_exit"]["exit"] == "1"
    history.record(event("web", "FATAL", "STARTING"))
    assert history.summary()["web"]["restarts"] == 0


def test_restarts_and_last_exit_follow_one_rule_since_the_last_start_a_person_asked_for(tmp_path):
    history = make(tmp_path)
    history.record(event("web", "STOPPED", "STARTING"))
    history.record(event("web", "RUNNING", "EXITED", exit="SIGKILL", expected=False))
    history.record(event("web", "EXITED", "STARTING"))  # supervisord's own restart: both kept
    assert history.summary()["web"]["restarts"] == 1 and history.summary()["web"]["last_exit"]["exit"] == "SIGKILL"
    history.record(event("web", "STOPPING", "STOPPED", exit="SIGTERM"))  # `down` (or `stop`): both still shown
    assert history.summary()["web"]["restarts"] == 1 and history.summary()["web"]["last_exit"]["exit"] == "SIGKILL"
    history.record(event("web", "STOPPED", "STARTING"))  # `up` (or `start`, `restart`): a new run, both reset
    assert history.summary()["web"]["restarts"] == 0 and history.summary()["web"]["last_exit"] is None
    assert [e["to"] for e in history.events(["web"])].count("EXITED") == 1  # the past stays in `events`


def test_a_requested_stop_is_logged_but_is_not_the_last_exit(tmp_path):
    history = make(tmp_path)
    history.record(event("web", "RUNNING", "EXITED", exit="3", expected=False))
    history.record(event("web", "STOPPING", "STOPPED", exit="SIGTERM"))
    assert history.summary()["web"]["last_exit"]["exit"] == "3"
    assert [e["to"] for e in history.events(["web"])] == ["EXITED", "STOPPED"]


def test_events_filter_by_name_and_keep_the_latest(tmp_path):
    history = make(tmp_path)
    for i in range(5):
        history.record(event("a" if i % 2 else "b", "STOPPED", "STARTING", pid=i))
    assert [e["pid"] for e in history.events(["b"])] == [0, 2, 4]
    assert [e["pid"] for e in history.events(None, limit=2)] == [3, 4]


def test_the_log_rotates_to_one_backup_and_reads_across_it(tmp_path, monkeypatch):
    monkeypatch.setattr(history_module, "LOG_MAX_BYTES", 300)
    history = make(tmp_path)
    for i in range(12):
        history.record(event("web", "STOPPED", "STARTING", pid=i))
    assert history.log_path.stat().st_size <= 300
    assert history.log_path.with_name("events.jsonl.1").exists()
    pids = [e["pid"] for e in history.events(["web"])]
    assert pids == sorted(pids) and pids[-1] == 11


def test_a_watchdog_restart_is_kept_beside_the_crash_record(tmp_path):
    history = make(tmp_path)
    history.record({**event("web", "RUNNING", "RESTARTING", pid=7), "reason": "liveness failed 3\u00d7 \u2192 restarted"})
    history.record(event("web", "RUNNING", "EXITED", exit="SIGTERM"))
    assert json.loads(history.summary_path.read_text())["web"] == {
        "restarts": 0,
        "last_exit": {"time": "2026-01-01T00:00:00.000+00:00", "exit": "SIGTERM", "expected": None, "from": "RUNNING", "to": "EXITED"},
        "last_restart": {"time": "2026-01-01T00:00:00.000+00:00", "reason": "liveness failed 3\u00d7 \u2192 restarted"},
    }
    assert [e["to"] for e in history.events(["web"])] == ["RESTARTING", "EXITED"]


def test_a_start_by_a_person_forgets_the_watchdogs_restart_of_the_run_before(tmp_path):
    history = make(tmp_path)
    history.record({**event("web", "RUNNING", "RESTARTING", pid=7), "reason": "liveness failed 3\u00d7 \u2192 restarted"})
    history.record(event("web", "RUNNING", "EXITED", exit="SIGTERM"))
    history.record(event("web", "EXITED", "STARTING", pid=8))  # supervisord's own restart: kept
    assert json.loads(history.summary_path.read_text())["web"]["last_restart"]["reason"].startswith("liveness")
    history.record(event("web", "STOPPED", "STARTING", pid=9))  # `platform restart web`
    assert "last_restart" not in json.loads(history.summary_path.read_text())["web"]


def test_listener_reads_supervisor_payloads_with_the_daemons_extra_fields():
    headers = {"eventname": "PROCESS_STATE_EXITED"}
    payload = "processname:web groupname:web from_state:RUNNING expected:0 pid:4242 at:1700000000.250000 exit:SIGKILL"
    assert parse_event(headers, payload, now=1.0) == {
        "ts": 1700000000.25,
        "time": "2023-11-14T22:13:20.250+00:00",
        "name": "web",
        "from": "RUNNING",
        "to": "EXITED",
        "pid": 4242,
        "expected": False,
        "exit": "SIGKILL",
    }
    starting = parse_event({"eventname": "PROCESS_STATE_STARTING"}, "processname:web groupname:web from_state:STOPPED tries:0", now=5.0)
    assert starting["ts"] == 5.0 and "exit" not in starting and "pid" not in starting


def test_status_waits_for_the_listener_to_record_the_current_runs_start(tmp_path):
    import threading

    from platform_cli.procman.snapshot import _caught_up_summary
    from platform_cli.procman.supervisor import ProcessInfo

    history = make(tmp_path)
    history.record(event("web", "RUNNING", "EXITED", exit="SIGKILL") | {"ts": 100.0})
    history.record(event("web", "EXITED", "STARTING") | {"ts": 100.5})  # the run before: one restart
    current = ProcessInfo(name="web", state="RUNNING", pid=7, started_at=200.0, now=201.0, exit_status=None, spawn_error="", description="")
    late = threading.Timer(0.2, lambda: history.record(event("web", "STOPPED", "STARTING") | {"ts": 200.2}))
    late.start()
    summary = _caught_up_summary(history, [current], wait_s=5)
    late.join()
    assert (summary["web"]["restarts"], summary["web"]["last_exit"]) == (0, None)
    (tmp_path / "stale").mkdir()
    stale = make(tmp_path / "stale")
    stale.record(event("web", "EXITED", "STARTING") | {"ts": 100.5})  # and no listener to record the new start
    assert _caught_up_summary(stale, [current], wait_s=0.05)["web"]["restarts"] == 1  # bounded: it gives up
    assert _caught_up_summary(History(tmp_path / "none"), [current], wait_s=60) == {}  # nothing recorded: nothing to wait for


def test_status_waits_even_when_the_new_run_began_within_the_same_second(tmp_path):
    """supervisord's start time is in whole seconds: a run begun at 200.9, after one recorded at
    200.3, reads 200 there, which the recorded start alone would take for caught up."""
    import threading

    from platform_cli.procman.snapshot import _caught_up_summary
    from platform_cli.procman.supervisor import ProcessInfo

    history = make(tmp_path)
    history.record(event("web", "RUNNING", "EXITED", exit="SIGKILL") | {"ts": 200.1})
    history.record(event("web", "EXITED", "STARTING") | {"ts": 200.3, "pid": 6})  # the run before, restarted
    current = ProcessInfo(name="web", state="RUNNING", pid=7, started_at=200.0, now=201.0, exit_status=None, spawn_error="", description="")
    late = threading.Timer(0.2, lambda: history.record(event("web", "STOPPED", "STARTING") | {"ts": 200.9, "pid": 7}))
    late.start()
    summary = _caught_up_summary(history, [current], wait_s=5)
    late.join()
    assert (summary["web"]["restarts"], summary["web"]["last_exit"], summary["web"]["pid"]) == (0, None, 7)


def test_an_event_that_changes_nothing_in_the_summary_does_not_rewrite_it(tmp_path, monkeypatch):
    history = make(tmp_path)
    history.record(event("web", "STOPPED", "STARTING"))
    rewrites = []
    monkeypatch.setattr(history, "_replace", lambda path, text: rewrites.append(text))
    for frm, to in (("STARTING", "RUNNING"), ("RUNNING", "STOPPING"), ("STOPPING", "STOPPED")):
        history.record(event("web", frm, to))
    assert rewrites == []
    assert [e["to"] for e in history.events()] == ["STARTING", "RUNNING", "STOPPING", "STOPPED"]  # all in the log
    history.record(event("web", "STOPPED", "STARTING", ts=5.0))  # a change (started_at) is written
    assert len(rewrites) == 1 and json.loads(rewrites[0])["web"]["started_at"] == 5.0
