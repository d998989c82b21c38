"""`up` starts supervisord's interpreter while it reads the project (procman/prestart.py): the
daemon it makes is the usual one, found and stopped as ever, and one not needed goes away."""

from __future__ import annotations

import os

import pytest

from platform_cli.errors import ConfigError
from platform_cli.lifecycle_run import run_up
from platform_cli.procman import prestart, proctable
from platform_cli.ui.plain_progress import PlainProgress
from platform_cli.workspace import Workspace
from platform_cli.procman.daemon import find_daemons
from tests.e2e.conftest import WEB
from tests.helpers import wait_until


def _daemon_entries(data) -> list[int]:
    """Every daemon_entry process started for `data`, waiting or not."""
    return [pid for pid in proctable.pids() if proctable.has_env(pid, "PLATFORM_DATA_DIR", str(data))
            and b"daemon_entry" in proctable.read(pid, "cmdline")]


def test_a_cold_up_runs_the_prestarted_interpreter_as_the_daemon(project):
    project.write({"web": f"{WEB} # $PORT"}, {"web": {"probe": "http:/health"}}, env="PLATFORM_BACKOFF_CAP=3\n")
    project.ok("up")
    pid = project.supervisord_pid()
    assert proctable.environ(pid).get(prestart.MARK) == "1"  # it was the prestarted one
    assert proctable.session_leader(pid) and not prestart.waiting(pid)
    assert find_daemons(project.data) == [pid]  # found as any daemon: a crashed one would be cleaned up
    assert project.status()["web"]["health"]["status"] == "ok"
    # What it was told, not what it was started with: the project's folder, the programs' environment.
    assert os.readlink(f"/proc/{pid}/cwd") == str(project.root)
    web = project.status()["web"]["pid"]
    assert prestart.MARK not in proctable.environ(web) and proctable.environ(web)["PLATFORM_PROCESS"] == "web"
    project.ok("down")
    assert not _daemon_entries(project.data)


def test_an_up_that_fails_leaves_no_interpreter_behind(project, monkeypatch):
    project.write({"web": f"{WEB} # $PORT"}, {"web": {"probe": "smtp"}})  # read after the interpreter started
    result = project.run("up")
    assert result.returncode == 6 and "platform.toml [web]" in result.stderr
    wait_until(lambda: not _daemon_entries(project.data), 10, what="the waiting interpreter to exit")
    # In a process that lives on (the MCP server runs `up` in its own), it is let go at once.
    started, begin = [], prestart.begin
    monkeypatch.setattr(prestart, "begin", lambda data: (started.append(data), begin(data)))
    with pytest.raises(ConfigError):
        run_up(Workspace(project.root / "Procfile", project.data), [], PlainProgress(160, None))
    assert started == [project.data] and prestart.take() is None
    wait_until(lambda: not _daemon_entries(project.data), 10, what="the abandoned interpreter to exit")



def test_one_started_on_a_wrong_guess_is_not_kept(project):
    project.write({"web": f"{WEB} # $PORT"})
    project.ok("up")
    daemon = project.supervisord_pid()
    (project.data / "supervisor" / "supervisord.pid").unlink()  # so the next `up` guesses none runs
    project.ok("up")
    wait_until(lambda: _daemon_entries(project.data) == [daemon], 10, what="only the running daemon")


def test_a_waiting_interpreter_is_not_a_leftover_daemon_and_exits_when_abandoned(tmp_path):
    prestart.begin(tmp_path / "data")
    waiting = prestart.take()
    try:
        wait_until(lambda: proctable.environ(waiting.proc.pid).get(prestart.MARK), 10, what="its environment")
        assert prestart.waiting(waiting.proc.pid)
        assert find_daemons(tmp_path / "data") == []  # `down` or a crash cleanup leaves it alone
    finally:
        waiting.proc.stdin.close()
    assert waiting.proc.wait(30) == 0
