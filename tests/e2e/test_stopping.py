"""`down` and `stop --all` stop every process at once: bounded by one stop timeout, not one each."""

from __future__ import annotations

import re
import sys
import time

import pytest

from platform_cli.procman.daemon import find_daemons, find_orphans
from platform_cli.procman.supervisor import SupervisorClient

STOP_TIMEOUT = 3
STUBBORN = "import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nprint('up', flush=True)\ntime.sleep(600)\n"


def _stubborn(project, tmp_path, count: int) -> list[str]:
    script = tmp_path / "stubborn.py"
    script.write_text(STUBBORN)
    names = [f"stubborn{i}" for i in range(count)]
    project.write({n: f"{sys.executable} {script}" for n in names}, {n: {"stop_timeout": STOP_TIMEOUT} for n in names})
    project.ok("up")
    project.wait_running(*names)
    return names


def _timed(project, *args: str) -> tuple[float, str]:
    began = time.monotonic()
    out = project.ok(*args).stdout
    return time.monotonic() - began, out


@pytest.mark.slow
def test_down_with_three_processes_ignoring_sigterm_costs_one_stop_timeout(project, tmp_path):
    _stubborn(project, tmp_path, 3)
    took, out = _timed(project, "down")
    assert "stopped 3 processes" in out
    # One after another this was 3 x 3 s; at once it is 3 s, plus starting Python and supervisord's exit.
    assert STOP_TIMEOUT <= took < 2 * STOP_TIMEOUT, f"down took {took:.1f}s"
    assert find_orphans(project.data) == [] and find_daemons(project.data) == []


@pytest.mark.slow
def test_stop_all_with_three_processes_ignoring_sigterm_costs_one_stop_timeout(project, tmp_path):
    names = _stubborn(project, tmp_path, 3)
    took, out = _timed(project, "stop", "--all")
    assert out.splitlines() == [f"stopped {n}" for n in names]
    assert STOP_TIMEOUT <= took < 2 * STOP_TIMEOUT, f"stop --all took {took:.1f}s"
    assert {row["state"] for row in project.status().values()} == {"STOPPED"}


def test_down_costs_nothing_for_processes_that_never_started(project):
    project.write({f"p{i}": "sleep 1000" for i in range(1, 51)})
    project.ok("up", "p1")
    took, out = _timed(project, "down")
    assert "stopped 1 process " in out
    assert took < 5, f"down of a 50-line Procfile with one process up took {took:.1f}s (34 s before)"
    assert find_orphans(project.data) == [] and find_daemons(project.data) == []


def test_restart_and_stop_all_act_on_processes_up_never_started(project):
    project.write({"a": "sleep 1000", "b": "sleep 1000", "c": "sleep 1000"}, {"c": {"depends_on": ["b"]}})
    project.ok("up", "a")
    assert {n: r["state"] for n, r in project.status().items()} == {"a": "RUNNING", "b": "STOPPED", "c": "STOPPED"}
    project.ok("restart", "--all")
    assert {r["state"] for r in project.wait_running("a", "b", "c").values()} == {"RUNNING"}
    assert project.ok("stop", "--all").stdout.splitlines() == ["stopped a", "stopped c", "stopped b"]
    assert {r["state"] for r in project.status().values()} == {"STOPPED"}


def test_down_stops_a_dependent_before_what_it_depends_on(project, tmp_path):
    project.write({"base": "sleep 1000", "app": "sleep 1000", "lone": "sleep 1000"}, {"app": {"depends_on": ["base"]}})
    project.ok("up")
    project.ok("down")
    # supervisord logs each stop as it sees it, in order (the event listener may be gone by then).
    log = (project.data / "logs" / "supervisord.log").read_text().splitlines()
    stopped = [line.split("stopped: ", 1)[1].split()[0] for line in log if "stopped: " in line]
    assert set(stopped) >= {"app", "base", "lone"} and stopped.index("app") < stopped.index("base"), stopped


@pytest.mark.slow
def test_a_5000_line_procfile_costs_what_the_processes_touched_cost(project):
    lines = {f"p{i}": "sleep 1000" for i in range(1, 5001)}
    project.write(lines, {"p2": {"depends_on": ["p3"]}})
    took_up, _ = _timed(project, "up", "p1")  # 62 s before: every program's info, 4 KiB per loop turn
    # What up rendered and supervisord holds: p1 alone, not 5,000 launch scripts and sections.
    assert _held(project) == ({"p1"},) * 3
    took_status, out = _timed(project, "status", "p1")  # 12 s before
    assert out.splitlines()[1].split()[:2] == ["p1", "RUNNING"]
    # A process supervisord does not hold was never started: stopped, found without loading it.
    never = project.run("status", "p4999")
    assert never.returncode == 3 and never.stdout.splitlines()[1].split()[:2] == ["p4999", "STOPPED"], never.stdout
    assert _held(project) == ({"p1"},) * 3
    # start loads what it starts (and what that depends on), leaving the others as they are.
    project.ok("start", "p2")
    assert _held(project) == ({"p1", "p2", "p3"},) * 3
    assert project.status("p1", "p2", "p3", "p4")["p4"]["state"] == "STOPPED"
    # up NAME keeps what supervisord holds; a line removed from the Procfile is still stopped and removed.
    del lines["p1"]
    project.write(lines, {"p2": {"depends_on": ["p3"]}})
    out = project.ok("up", "p2").stdout
    assert "removed p1 (no longer in the Procfile)" in out and _held(project) == ({"p2", "p3"},) * 3, out
    took_down, out = _timed(project, "down")
    assert "stopped 2 processes " in out
    assert took_up < 30 and took_status < 3 and took_down < 10, (took_up, took_status, took_down)


def _held(project) -> tuple[set[str], set[str], set[str]]:
    """The programs supervisord holds, those with a section in programs.conf, those with a launch script."""
    run = project.data / "supervisor"
    held = {p.name for p in SupervisorClient(run / "supervisord.sock").processes()}
    sections = set(re.findall(r"^\[program:([^\]]+)\]", (run / "programs.conf").read_text(), re.MULTILINE))
    scripts = {path.name.rsplit("-", 1)[0] for path in (run / "programs").glob("*.sh")}
    return held, sections, scripts
