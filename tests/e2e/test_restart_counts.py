"""`restarts` and `last exit` follow the one rule `status --help` states: both describe the run a
person last started (up, start, restart, run); a crash, `stop` or `down` keeps them."""

from __future__ import annotations

from tests.e2e.conftest import WEB, kill
from tests.helpers import wait_until


def _crashed_once(project) -> dict:
    old = project.wait_running("web")["web"]["pid"]
    kill(old)
    return wait_until(lambda: (r := project.status()["web"])["pid"] not in (None, old) and r["restarts"] == 1
                      and r["last_exit"] and r, timeout=10, what="web back after its crash, with the crash recorded")


def test_restarts_and_last_exit_survive_down_and_reset_together_at_the_next_up(project):
    project.write({"web": f"{WEB} # $PORT"})
    project.ok("up")
    assert _crashed_once(project)["last_exit"]["exit"] == "SIGKILL"
    project.ok("stop", "web")
    after_stop = project.status()["web"]
    assert after_stop["restarts"] == 1 and after_stop["last_exit"]["exit"] == "SIGKILL"
    project.ok("down")
    project.ok("up")
    fresh = project.status()["web"]  # no waiting: status itself waits for the listener to catch up
    assert (fresh["restarts"], fresh["last_exit"]) == (0, None)
    assert [e["exit"] for e in project.events("web") if e["to"] == "EXITED"] == ["SIGKILL"]  # the past stays in events


def test_a_manual_start_resets_both_not_just_the_count(project):
    project.write({"web": f"{WEB} # $PORT"})
    project.ok("up")
    _crashed_once(project)
    project.ok("restart", "web")
    row = project.status()["web"]
    assert (row["restarts"], row["last_exit"]) == (0, None)
    assert "last exit" not in project.ok("status").stdout
