"""The event recording, probes and samples run inside supervisord (procman/recorder.py): the
manager is one process, and a failure in the recorder's thread is written down and survived."""

from __future__ import annotations

import psutil

from tests.e2e.conftest import WEB, kill
from tests.helpers import wait_until


def test_the_manager_is_one_process_whose_children_are_the_programs(project):
    project.write({"web": f"{WEB} # $PORT", "other": f"{WEB} # $PORT"})
    project.ok("up")
    rows = project.wait_healthy("web") and project.wait_healthy("other") and project.status()
    daemon = psutil.Process(project.supervisord_pid())
    assert {c.pid for c in daemon.children()} == {rows["web"]["pid"], rows["other"]["pid"]}
    assert rows["web"]["memory_bytes"] or wait_until(lambda: project.status()["web"]["memory_bytes"], 15,
                                                     what="web sampled by the daemon")
    assert (project.data / "supervisor" / "samples.json").exists()
    assert [e["to"] for e in project.events("web")][:2] == ["STARTING", "RUNNING"]


def test_a_failure_in_the_recorder_is_logged_and_supervisord_goes_on(project):
    project.write({"web": f"{WEB} # $PORT"})
    project.ok("up")
    daemon = project.supervisord_pid()
    old = project.wait_running("web")["web"]["pid"]
    log = project.data / "supervisor" / "events.jsonl"
    log.unlink()
    log.mkdir()  # every write of the history now fails in the recorder's thread (IsADirectoryError)
    kill(old)
    errors = project.data / "logs" / "platform-events.err.log"
    wait_until(lambda: errors.exists() and "cannot record event" in errors.read_text(), 10,
               what="the recorder's failure in platform-events.err.log")
    new = wait_until(lambda: (p := project.status()["web"]["pid"]) not in (None, old) and p, 10, what="web restarted")
    assert psutil.pid_exists(daemon) and project.supervisord_pid() == daemon
    log.rmdir()
    project.ok("restart", "web")  # the recorder records again: the same thread, after its failures
    recorded = project.wait_events("web", lambda found: any(e["to"] == "RUNNING" and e.get("pid") not in (None, new, old)
                                                           for e in found))
    assert recorded[-1]["to"] == "RUNNING"
