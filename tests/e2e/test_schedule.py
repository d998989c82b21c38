"""A task on a per-second schedule, fired by the daemon with no CLI running (issue 20 point 2)."""

from __future__ import annotations

import sys


PY = sys.executable


def test_a_per_second_schedule_fires_at_least_twice_and_events_record_each_exit(project):
    tick = f"{PY} -c \"import pathlib, time; p = pathlib.Path('ticks'); p.write_text(p.read_text() + 'x' if p.exists() else 'x')\""
    project.write({"tick": tick, "web": f"{PY} -c \"import time; time.sleep(600)\""},
                  {"tick": {"kind": "task", "schedule": "* * * * * */2"}})
    project.ok("up")
    # Nothing runs it but the daemon, after `up` has returned.
    events = project.wait_events("tick", lambda found: sum(e["to"] == "EXITED" for e in found) >= 2, timeout=20)
    runs = [e for e in events if e["to"] == "EXITED"]
    assert all(e["exit"] == "0" and e["expected"] for e in runs[:2])
    kinds = [e["to"] for e in events if e["to"] in ("SCHEDULED", "STARTING")]
    assert kinds[:4] == ["SCHEDULED", "STARTING", "SCHEDULED", "STARTING"]  # every start was a scheduled one, none by `up`
    assert len((project.root / "ticks").read_text()) >= 2
    row = project.status()["tick"]
    assert row["next_run"] is not None and row["restarts"] == 0
    human = project.run("status")
    assert "next run" in human.stdout, human.stdout


def test_a_schedule_fires_after_up_of_another_process_or_beside_a_disabled_one(project):
    # `up web` loads only web and what supervisord holds, and enabled = false makes `up` name the
    # rest: a scheduled task is still given to supervisord (its scheduler starts it), never run by up.
    tick = f"{PY} -c \"import pathlib; p = pathlib.Path('ticks'); p.write_text(p.read_text() + 'x' if p.exists() else 'x')\""
    sleeper = f"{PY} -c \"import time; time.sleep(600)\""
    project.write({"tick": tick, "web": sleeper, "off": sleeper},
                  {"tick": {"kind": "task", "schedule": "* * * * * */2"}, "off": {"enabled": False}})
    project.ok("up", "web")
    events = project.wait_events("tick", lambda found: sum(e["to"] == "EXITED" for e in found) >= 1, timeout=20)
    assert [e["to"] for e in events if e["to"] in ("SCHEDULED", "STARTING")][:2] == ["SCHEDULED", "STARTING"]
    project.ok("up")
    assert project.status()["off"]["state"] in ("STOPPED", "ABSENT")
    # Each start is a scheduled one (recorded before it is asked for): the plain `up` started none.
    kinds = [e["to"] for e in project.wait_events("tick", lambda found: True)]
    assert kinds.count("SCHEDULED") >= kinds.count("STARTING") > 0
