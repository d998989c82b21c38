"""`platform monit` in a real terminal: tmux at 80×24 and 160×45, keys sent, the screen read back."""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import psutil
import pytest

from tests.e2e.browser import CHROMEDRIVER, CHROMIUM, publish, terminal_png
from platform_cli.ui.monit_model import BARS
from tests.e2e.conftest import WEB
from tests.e2e.terminal import TMUX, Terminal

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(TMUX is None, reason="tmux is not installed: apt-get install tmux")]

ARTIFACTS = Path(__file__).parents[1] / "artifacts"
FAST = {"probe": "http:/health", "probe_interval": 1}


@pytest.fixture
def terminal(tmp_path):
    made = []

    def make(width: int, height: int) -> Terminal:
        term = Terminal(tmp_path / f"tmux-{width}x{height}", width, height)
        made.append(term)
        return term

    yield make
    for term in made:
        term.close()


def start_monit(project, term: Terminal) -> None:
    term.start([sys.executable, "-m", "platform_cli", "monit"], project.root, project.environ())
    term.wait_for(lambda s: "healthy" in s and "api" in s and "worker" in s, what="monit's first frame")


def row_of(screen: str, name: str) -> str:
    return next(line for line in screen.splitlines() if re.match(rf"\W*{name}\s", line.strip() + " "))


@pytest.mark.parametrize("size", [(80, 24), (160, 45)], ids=["80x24", "160x45"])
def test_monit_shows_every_process_and_restart_changes_pid(project, terminal, size, tmp_path):
    project.write({"api": f"{WEB} # $PORT", "worker": "while true; do echo tick; sleep 0.5; done"},
                  {"api": FAST, "worker": {"probe_interval": 1}})
    project.ok("up")
    term = terminal(*size)
    start_monit(project, term)
    screen = term.wait_for(lambda s: "2/2 healthy" in s and "ok " in row_of(s, "api") and "quit" in s, what="both healthy, api probed")
    assert "RUNNING" in row_of(screen, "worker")
    lines = screen.splitlines()
    assert len(lines) <= size[1] and all(len(line) <= size[0] for line in lines)

    # ↓ selects the worker: its log follows below the table.
    term.keys("Down")
    term.wait_for(lambda s: "── worker ──" in s and "tick" in s, what="the worker's log below")

    # Some history on the sparklines (a point a second), then the picture.
    term.wait_for(lambda s: len(re.findall(f"[{BARS}]", row_of(s, "api"))) >= 10, what="api's sparklines")
    ARTIFACTS.mkdir(exist_ok=True)
    capture = ARTIFACTS / f"monit-{size[0]}x{size[1]}.ansi"
    capture.write_text(term.screen(escapes=True))
    if CHROMIUM and CHROMEDRIVER:  # the picture needs a browser; the terminal test does not
        shot = terminal_png(capture.read_text(), size[0], capture.with_suffix(".png"), tmp_path / "chromium-profile")
        if size == (160, 45):
            publish(shot, "monit.png")

    pid = project.status()["worker"]["pid"]
    term.keys("r")
    term.wait_for(lambda s: "restart worker: done" in s, what="the restart's message")
    new = project.status()["worker"]["pid"]
    assert new not in (pid, None)
    if size == (160, 45):  # the wide layout shows the pid itself
        term.wait_for(lambda s: str(new) in row_of(s, "worker"), what="the new pid on screen")
    else:  # the narrow one shows the uptime starting again
        term.wait_for(lambda s: re.search(r"RUNNING.*\s\ds\s", row_of(s, "worker")), what="uptime back to seconds")

    term.keys("s")
    term.wait_for(lambda s: "STOPPED" in row_of(s, "worker"), what="worker stopped")
    term.keys("s")
    term.wait_for(lambda s: "RUNNING" in row_of(s, "worker"), what="worker started again")

    term.keys("/")
    term.wait_for(lambda s: "filter by name" in s, what="the filter's input")
    term.keys("a", "p", "i", "Enter")
    term.wait_for(lambda s: "filter: api" in s and not any(l.strip(" │┃").startswith("worker") for l in s.splitlines()[:8]), what="only api")
    term.keys("l")
    term.wait_for(lambda s: "name" not in s.splitlines()[1], what="log full screen")
    term.keys("l")
    term.wait_for(lambda s: "name" in s.splitlines()[1], what="the table back")
    term.keys("q")
    assert _wait(term.ended, 10), "monit did not exit on q"


def test_monit_shows_the_instances_scale_adds_and_drops_those_it_removes_without_reopening(project, terminal):
    project.write({"api": f"{WEB} # $PORT", "worker": "while true; do echo tick; sleep 0.5; done"},
                  {"api": FAST, "worker": {"probe_interval": 1}})
    project.ok("up")
    term = terminal(160, 45)
    start_monit(project, term)
    term.wait_for(lambda s: "2/2 healthy" in s, what="both healthy")
    project.ok("scale", "api=2")
    # With its port and its probe's result: monit knows it as a process of the project, not only as a program.
    second = str(project.ports["api"] + 1)
    term.wait_for(lambda s: "3/3 healthy" in s and second in row_of(s, "api.2") and "ok " in row_of(s, "api.2"),
                  what="api.2 on screen with its port, healthy")
    project.ok("scale", "api=1")
    term.wait_for(lambda s: "2/2 healthy" in s and not re.search(r"^\W*api\.2\s", s, re.M), what="api.2 gone from the screen")
    term.keys("q")
    assert _wait(term.ended, 10), "monit did not exit on q"


def test_monit_idles_under_5_percent_of_a_core(project, terminal):
    project.write({"api": f"{WEB} # $PORT", "worker": "sleep 1000"}, {"api": FAST})
    project.ok("up")
    term = terminal(80, 24)
    start_monit(project, term)
    monit = next(p for p in psutil.Process(term.pane_pid()).children(recursive=True) + [psutil.Process(term.pane_pid())]
                 if "platform_cli" in " ".join(p.cmdline()))
    before = monit.cpu_times()
    started = time.monotonic()
    time.sleep(20)  # the measuring window: monit idles, refreshing every second, while psutil counts
    after = monit.cpu_times()
    used = (after.user + after.system - before.user - before.system) / (time.monotonic() - started)
    (ARTIFACTS / "monit-idle-cpu.txt").parent.mkdir(exist_ok=True)
    (ARTIFACTS / "monit-idle-cpu.txt").write_text(f"{used * 100:.2f}% of a core over 20 s\n")
    assert used < 0.05, f"monit used {used * 100:.1f}% of a core while idle"


def test_monit_without_daemon_is_one_error_line(project):
    project.write({"api": f"{WEB} # $PORT"}, {"api": FAST})
    result = project.run("monit")
    assert result.returncode == 4, result
    assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr


def _wait(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False
