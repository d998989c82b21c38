"""Two lifecycle commands at once on one data dir: they take turns, and exactly one supervisord runs.

A race lost 1 time in 12 is caught in 24 rounds with a chance of 1 - (11/12)**24 = 88 %; each
round is two real `platform` commands side by side, and the whole test has one deadline.
"""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from platform_cli.procman.daemon import find_daemons

ROUNDS = 24
DEADLINE_S = 240


def _side_by_side(project, *commands: tuple[str, ...]) -> list[subprocess.CompletedProcess]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("PLATFORM_")}
    procs = [subprocess.Popen([sys.executable, "-m", "platform_cli", *args], cwd=project.root, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for args in commands]
    results = []
    for args, proc in zip(commands, procs, strict=True):
        out, err = proc.communicate(timeout=90)
        results.append(subprocess.CompletedProcess(args, proc.returncode, out, err))
    return results


@pytest.mark.slow
def test_two_ups_at_once_start_one_daemon_every_time(project):
    project.write({"sleeper": "sleep 1000"})
    deadline = time.monotonic() + DEADLINE_S
    for round_ in range(ROUNDS):
        assert time.monotonic() < deadline, f"only {round_} rounds within {DEADLINE_S}s"
        results = _side_by_side(project, ("up",), ("up",))
        for result in results:
            assert result.returncode == 0, f"round {round_}: exit {result.returncode}\n{result.stdout}\n{result.stderr}"
        started = [r for r in results if "started supervisord" in r.stdout]
        assert len(started) == 1, f"round {round_}: {len(started)} of the two started supervisord"
        daemons = find_daemons(project.data)
        assert daemons == [project.supervisord_pid()], f"round {round_}: supervisords {daemons}"
        assert project.status()["sleeper"]["state"] == "RUNNING"
        project.ok("down")
        assert find_daemons(project.data) == []


@pytest.mark.slow
def test_up_beside_down_or_restart_leaves_one_daemon_or_none(project):
    project.write({"sleeper": "sleep 1000"})
    deadline = time.monotonic() + DEADLINE_S
    for round_ in range(ROUNDS // 2):
        assert time.monotonic() < deadline, f"only {round_} rounds within {DEADLINE_S}s"
        project.ok("up")
        other = ("down",) if round_ % 2 == 0 else ("restart", "sleeper")
        results = _side_by_side(project, other, ("up",))
        for result in results:
            assert result.returncode == 0, f"round {round_} {result.args}: exit {result.returncode}\n{result.stdout}\n{result.stderr}"
        daemons = find_daemons(project.data)
        assert len(daemons) <= 1, f"round {round_}: supervisords {daemons}"
        if daemons:
            assert daemons == [project.supervisord_pid()] and project.status()["sleeper"]["state"] == "RUNNING"
        project.ok("down")
        assert find_daemons(project.data) == []
