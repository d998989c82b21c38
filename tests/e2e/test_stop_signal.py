"""Stopping per process: stop_signal and stop_command (issue 20 point 4), honoured by `stop`,
`down` and a reload by `up`, with real processes that write down which signal ended them."""

from __future__ import annotations

import sys

import pytest

from tests.helpers import wait_until

# Writes "<signal> <run>" to signals.txt when it is asked to stop, then exits; with DRAIN_FILE,
# it also exits by itself once that file appears (what a stop_command would ask for).
APP = '''
import os, pathlib, signal, sys, time
out = pathlib.Path(os.environ["SIGNALS_FILE"])
def note(what):
    with out.open("a") as f:
        f.write(what + "\\n")
    sys.exit(0)
signal.signal(signal.SIGTERM, lambda *a: note("TERM"))
signal.signal(signal.SIGINT, lambda *a: note("INT"))
print("up", flush=True)
drain = os.environ.get("DRAIN_FILE")
while True:
    if drain and pathlib.Path(drain).exists():
        note("drained")
    time.sleep(0.05)
'''


@pytest.fixture
def app(project):
    path = project.root / "app.py"
    path.write_text(APP)
    return f"{sys.executable} {path}"


def _signals(project) -> list[str]:
    path = project.root / "signals.txt"
    return path.read_text().split() if path.exists() else []


@pytest.mark.parametrize("command", [("stop", "worker"), ("down",)])
def test_stop_signal_int_is_what_stop_and_down_send(project, app, command):
    project.write({"worker": app}, {"worker": {"stop_signal": "INT"}}, env=f"SIGNALS_FILE={project.root / 'signals.txt'}\n")
    project.ok("up")
    project.wait_running("worker")
    project.ok(*command)
    assert _signals(project) == ["INT"]


def test_a_reload_by_up_stops_the_old_process_with_its_stop_signal(project, app):
    project.write({"worker": app}, {"worker": {"stop_signal": "SIGINT"}}, env=f"SIGNALS_FILE={project.root / 'signals.txt'}\n")
    project.ok("up")
    project.wait_running("worker")
    (project.root / ".env").write_text(f"SIGNALS_FILE={project.root / 'signals.txt'}\nFOO=2\n")
    result = project.ok("up")
    assert "restarting" in result.stdout
    assert _signals(project) == ["INT"]


def test_stop_command_runs_first_and_the_signal_follows_only_if_the_process_stays(project, app):
    drain = project.root / "drain-now"
    project.write({"drains": f"env DRAIN_FILE={drain} {app}", "stubborn": app},
                  {"drains": {"stop_command": f"touch {drain}", "stop_signal": "INT"},
                   "stubborn": {"stop_command": "true", "stop_signal": "INT", "stop_timeout": 1}},
                  env=f"SIGNALS_FILE={project.root / 'signals.txt'}\n")
    project.ok("up")
    project.wait_running("drains", "stubborn")
    project.ok("stop", "drains")
    assert _signals(project) == ["drained"]  # it exited on the command's request: no signal needed
    project.ok("stop", "stubborn")  # the command does nothing: after stop_timeout, INT
    assert _signals(project) == ["drained", "INT"]
    events = project.wait_events("stubborn", lambda found: found and found[-1]["to"] == "STOPPED")
    assert events[-1]["to"] == "STOPPED"  # a stop asked for, not a crash


def test_the_watchdog_ends_a_hung_process_with_its_stop_signal(project, app):
    # The liveness probe fails for good once the flag is gone: the watchdog restarts it with INT.
    flag = project.root / "alive"
    flag.touch()
    project.write({"worker": app}, {"worker": {"stop_signal": "INT", "probe": f"exec:test -f {flag}", "probe_interval": 0.2,
                                               "liveness_threshold": 2}},
                  env=f"SIGNALS_FILE={project.root / 'signals.txt'}\n")
    project.ok("up")
    project.wait_running("worker")
    flag.unlink()
    wait_until(lambda: _signals(project) == ["INT"], 15, what="the watchdog's INT")
