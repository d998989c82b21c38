"""A dependent restarted after its dependency restarts (issue 20 point 5), with real processes."""

from __future__ import annotations

from tests.e2e.conftest import WEB, kill
from tests.helpers import wait_until


def test_a_dependent_is_restarted_after_its_dependency_restarts_and_one_that_ignores_is_not(project):
    project.write({"base": f"{WEB} # $PORT", "follower": f"{WEB} # $PORT", "loner": f"{WEB} # $PORT"},
                  {"base": {"probe_interval": 0.2},
                   "follower": {"depends_on": ["base"], "on_dependency_restart": "restart"},
                   "loner": {"depends_on": ["base"]}})
    project.ok("up")
    rows = project.wait_running("base", "follower", "loner")
    base, follower, loner = (rows[n]["pid"] for n in ("base", "follower", "loner"))
    kill(base)  # supervisord restarts base; once it answers again, follower is restarted
    after = wait_until(lambda: (r := project.status())["follower"]["pid"] not in (None, follower) and r["follower"]["state"] == "RUNNING" and r,
                       20, what="follower restarted")
    assert after["base"]["pid"] != base and after["loner"]["pid"] == loner
    events = project.events("follower")
    reasons = [e.get("reason") for e in events if e.get("reason")]
    assert reasons == ["base restarted \u2192 restarted"]
    # It was restarted after base was back, not while base was down.
    base_started = max(e["ts"] for e in project.events("base") if e["to"] == "RUNNING")
    follower_stop = next(e["ts"] for e in events if e.get("reason"))
    assert follower_stop >= base_started
