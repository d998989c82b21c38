"""`platform attach` to a process run with tty = true: a Python breakpoint() answered from a real
terminal (tmux), then a detach that leaves the process running (issue 20 point 8)."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys

import pytest

from tests.helpers import wait_until

# On lines of their own: pdb stops at the next line, and `python -c` would have only one.
DEBUGGEE = "x = 41\nbreakpoint()\nprint('after', x + 1)\nimport time\ntime.sleep(600)\n"


@pytest.fixture
def tmux(tmp_path):
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    sock = tmp_path / "tmux.sock"

    def run(*args: str) -> str:
        return subprocess.run(["tmux", "-S", str(sock), *args], capture_output=True, text=True, timeout=10).stdout

    yield run
    run("kill-server")  # our own server, on our own socket


def test_attach_reaches_a_breakpoint_and_detaching_leaves_the_process_running(project, tmux):
    (project.root / "debuggee.py").write_text(DEBUGGEE)
    project.write({"dbg": f"{sys.executable} -u debuggee.py"}, {"dbg": {"tty": True}})
    project.ok("up")
    pid = project.wait_running("dbg")["dbg"]["pid"]
    launcher = project.root / "attach.sh"
    env = " ".join(f"{k}={shlex.quote(v)}" for k, v in project.environ().items() if k in ("PATH", "HOME", "XDG_CONFIG_HOME"))
    launcher.write_text(f"cd {shlex.quote(str(project.root))} && env {env} {sys.executable} -m platform_cli attach dbg; echo exit=$?; sleep 60\n")
    tmux("new-session", "-d", "-s", "t", "-x", "120", "-y", "40", f"sh {launcher}")
    screen = lambda: tmux("capture-pane", "-p", "-t", "t")  # noqa: E731
    wait_until(lambda: "attached to dbg" in screen(), 15, what="attach")
    tmux("send-keys", "-t", "t", "", "Enter")  # a fresh prompt: the first one was printed before we came
    wait_until(lambda: "(Pdb)" in screen(), 10, what="the pdb prompt")
    tmux("send-keys", "-t", "t", "p x * 2", "Enter")
    wait_until(lambda: "82" in screen(), 10, what="pdb's answer")
    tmux("send-keys", "-t", "t", "c", "Enter")
    wait_until(lambda: "after 42" in screen(), 10, what="the program going on")
    tmux("send-keys", "-t", "t", "C-]")
    text = wait_until(lambda: (s := screen()) and "exit=0" in s and s, 10, what="detach")
    assert "detached from dbg" in text
    row = project.status()["dbg"]
    assert (row["state"], row["pid"]) == ("RUNNING", pid)  # still running, the same process
    logged = project.ok("logs", "dbg", "-n", "50").stdout
    assert "(Pdb)" in logged and "after 42" in logged  # the log still has everything it printed


def test_attach_to_a_process_without_tty_is_one_error_line(project):
    project.write({"plain": f"{sys.executable} -c \"import time; time.sleep(600)\""})
    result = project.run("attach", "plain")
    assert result.returncode == 6 and result.stderr.startswith("error: plain does not run on a terminal"), result.stderr
    assert "hint: set `tty = true`" in result.stderr
