"""procman/proctable.py and the sweep built on it (daemon.find_leftovers): real processes, read
from /proc, found by their environment and command line."""

from __future__ import annotations

import os
import subprocess
import sys

import psutil
import pytest

from platform_cli.procman import proctable
from platform_cli.procman.daemon import find_daemons, find_leftovers, find_orphans

# A parent with one child, both asleep; the child's pid on stdout.
PARENT = "import subprocess, sys, time; c = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); print(c.pid, flush=True); time.sleep(60)"


@pytest.fixture
def spawn():
    started = []

    def run(argv, **env):
        proc = subprocess.Popen(argv, env={**os.environ, **env}, stdout=subprocess.PIPE, text=True)
        started.append(proc)
        return proc

    yield run
    for proc in started:
        for child in psutil.Process(proc.pid).children(recursive=True) if proc.poll() is None else []:
            child.kill()
        proc.kill()
        proc.wait()


def test_children_descendants_and_names_match_psutil(spawn):
    parent = spawn([sys.executable, "-c", PARENT])
    child = int(parent.stdout.readline())
    assert proctable.children(parent.pid) == [child] == [p.pid for p in psutil.Process(parent.pid).children()]
    assert parent.pid in proctable.children(os.getpid())
    assert [p for p in proctable.descendants(os.getpid()) if p in (parent.pid, child)] == [parent.pid, child]
    assert proctable.name(child) == psutil.Process(child).name()


def test_a_gone_process_reads_as_nothing():
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    assert (proctable.read(proc.pid, "environ"), proctable.name(proc.pid), proctable.children(proc.pid)) == (b"", "", [])


def test_the_sweep_finds_a_data_dirs_processes_and_daemons_by_their_environment_only(spawn, tmp_path):
    data = tmp_path / "data"
    sleep = [sys.executable, "-c", "import time; time.sleep(60)"]
    orphan = spawn(sleep, PLATFORM_DATA_DIR=str(data), PLATFORM_PROCESS="web")
    daemon = spawn([*sleep, "platform_cli.procman.daemon_entry"], PLATFORM_DATA_DIR=str(data))
    spawn(sleep, PLATFORM_DATA_DIR=str(data) + "2", PLATFORM_PROCESS="web")  # another data dir's
    spawn([*sleep, "platform_cli.procman.daemon_entry"], PLATFORM_DATA_DIR=str(data) + "/x")
    assert find_leftovers(data) == ([(orphan.pid, "web")], [daemon.pid])
    assert find_orphans(data) == [(orphan.pid, "web")]
    assert find_daemons(data) == [daemon.pid] and find_daemons(data, besides=daemon.pid) == []
