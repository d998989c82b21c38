"""One-shot tasks, exit policies and depends_on conditions (issue 20 point 1), with real processes."""

from __future__ import annotations

import sys

from tests.e2e.conftest import WEB

PY = sys.executable
# Takes a second, then leaves a mark: a web started before it completed would not see the mark.
MIGRATE = f"{PY} -c \"import time, pathlib; time.sleep(1); pathlib.Path('migrated').write_text('ok')\""
# The web process writes what it found at its start, then serves.
GATED_WEB = f"sh -c 'cat migrated > seen 2>&1; exec {WEB}' # $PORT"


def test_a_migration_task_gates_the_web_process_and_is_not_restarted(project):
    project.write({"migrate": MIGRATE, "web": GATED_WEB},
                  {"migrate": {"kind": "task"}, "web": {"depends_on": {"migrate": "completed_successfully"}}})
    result = project.ok("up")
    assert (project.root / "seen").read_text() == "ok", result.stdout  # migrate had completed before web started
    rows = project.status()
    assert rows["migrate"]["state"] == "EXITED" and rows["migrate"]["completed"] is True
    project.wait_running("web")
    assert project.run("status").returncode == 0  # a completed task is no failure
    events = project.wait_events("migrate", lambda found: any(e["to"] == "EXITED" for e in found))
    assert [e["to"] for e in events if e["to"] in ("STARTING", "EXITED")] == ["STARTING", "EXITED"]  # ran once
    assert [e["exit"] for e in events if e["to"] == "EXITED"] == ["0"]


def test_a_failing_task_fails_up_and_what_waits_on_it_never_starts(project):
    project.write({"migrate": f"{PY} -c \"import sys; print('no database', file=sys.stderr); sys.exit(4)\"", "web": GATED_WEB},
                  {"migrate": {"kind": "task"}, "web": {"depends_on": {"migrate": "completed_successfully"}}})
    result = project.run("up")
    assert result.returncode == 5, result.stderr
    assert result.stderr.startswith("error: migrate exited with 4"), result.stderr
    assert "no database" in result.stderr
    assert project.status()["web"]["state"] != "RUNNING" and not (project.root / "seen").exists()


def test_a_task_with_restart_on_failure_is_retried_until_it_succeeds(project):
    # Fails on its first run, succeeds on its second.
    flaky = (f"{PY} -c \"import pathlib, sys; p = pathlib.Path('tries'); n = len(p.read_text()) if p.exists() else 0; "
             "p.write_text('x' * (n + 1)); sys.exit(0 if n else 2)\"")
    project.write({"migrate": flaky}, {"migrate": {"kind": "task", "restart": "on_failure", "retries": 2}})
    project.ok("up")
    assert (project.root / "tries").read_text() == "xx"
    assert project.status()["migrate"]["completed"] is True


def test_success_exit_codes_and_restart_on_failure_for_a_service(project):
    # Exits 130 after startsecs (as on a Ctrl-C): listed as success, so supervisord leaves it be.
    project.write({"worker": "sh -c 'sleep 1.5; exit 130'", "crashy": "sh -c 'sleep 1.5; exit 1'"},
                  {"worker": {"restart": "on_failure", "success_exit_codes": [0, 130]},
                   "crashy": {"restart": "on_failure", "success_exit_codes": [0, 130]}})
    project.ok("up")
    crashy = project.wait_events("crashy", lambda found: sum(e["to"] == "STARTING" for e in found) >= 2, timeout=15)
    assert [e["exit"] for e in crashy if e["to"] == "EXITED"][:1] == ["1"]  # restarted after an unexpected exit
    worker = project.wait_events("worker", lambda found: any(e["to"] == "EXITED" for e in found), timeout=15)
    assert [e["to"] for e in worker if e["to"] in ("STARTING", "EXITED")] == ["STARTING", "EXITED"]
    assert project.status()["worker"]["state"] == "EXITED"  # still: not restarted

