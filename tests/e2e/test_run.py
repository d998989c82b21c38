"""platform run: the Procfile in the foreground, as in a container."""

from __future__ import annotations

import re
import signal

from platform_cli.procman.pids import alive
from tests.e2e.conftest import WEB, WRITER
from tests.helpers import port_is_listening, wait_until


def test_run_prints_merged_output_and_stops_everything_on_sigterm(project):
    project.write({"web": f"{WEB} # $PORT", "w": f"env INTERVAL=0.1 COUNT=1000 {WRITER}"}, {"w": {"depends_on": ["web"]}})
    running = project.spawn("run", "--no-color")
    running.wait_for(lambda lines: sum(bool(re.search(r" w +\| w \d+ \d+$", l)) for l in lines) >= 3,
                     what="w's lines on run's stdout, name padded to web's width")
    assert any("web ready" in l for l in running.lines)  # the same readiness order as `up`
    rows = project.status()
    pids = [r["pid"] for r in rows.values()] + [project.supervisord_pid()]
    running.wait_for(lambda lines: any(re.fullmatch(rf"\d\d:\d\d:\d\d system \| web started \(pid {rows['web']['pid']}\)", l) for l in lines),
                     what="web's start as a lifecycle line")
    assert running.stop(signal.SIGTERM) == 0
    # A stop that was asked for is a lifecycle line, never a line on stderr.
    assert any(l.endswith("system | web stopped") for l in running.lines) and any(l.endswith("system | w stopped") for l in running.lines)
    assert not any(" ! " in l for l in running.lines), running.lines
    assert not any(alive(p) for p in pids)
    assert not port_is_listening(project.ports["web"])
    assert "stopped 2 processes and supervisord" in running.proc.stderr.read()


def test_a_crashing_process_under_run_is_restarted_while_the_others_keep_running(project):
    # Up 1.5 s, then exit 1: past startsecs, so an ordinary crash, restarted at once.
    project.write({"web": f"{WEB} # $PORT", "flaky": f"env INTERVAL=0.05 COUNT=3 EXIT_AFTER=1.5 {WRITER}"})
    running = project.spawn("run", "--no-color")
    running.wait_for(lambda lines: any("web ready" in l for l in lines), what="web ready")
    web_pid = project.status()["web"]["pid"]
    # flaky's lines from two different pids: it ran, crashed, and ran again.
    running.wait_for(lambda lines: len({l.split()[-2] for l in lines if re.search(r" flaky +\| flaky ", l)}) >= 2,
                     what="flaky's output from a second process")
    row = wait_until(lambda: (r := project.status())["flaky"]["restarts"] >= 1 and r, what="the restart recorded")
    assert row["web"]["pid"] == web_pid and row["web"]["health"]["status"] == "ok"
    assert row["flaky"]["last_exit"]["exit"] == "1"
    assert running.stop(signal.SIGINT) == 130


def test_run_refuses_when_the_platform_already_runs_in_the_background(project):
    project.write({"web": f"{WEB} # $PORT"})
    project.ok("up")
    result = project.run("run")
    assert result.returncode == 1
    assert result.stderr.startswith("error: platform is already running in the background")


def test_run_piped_into_head_still_stops_everything(project):
    project.write({"w": f"env INTERVAL=0.01 COUNT=100000 {WRITER}"})
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("PLATFORM_")}
    pipeline = subprocess.run(f"{sys.executable} -m platform_cli run --no-color | head -5", shell=True, cwd=project.root,
                              env=env, capture_output=True, text=True, timeout=60)
    assert len(pipeline.stdout.splitlines()) == 5
    wait_until(lambda: project.run("status").returncode == 4, 30, what="everything stopped after head closed the pipe")
    assert "Traceback" not in pipeline.stderr
