"""A process that double-forks, calls setsid and clears its environment is still stopped by `down`:
supervisord is a child subreaper, so the escaped process becomes its child, not init's."""

from __future__ import annotations

import os
import signal
import sys

from platform_cli.procman.pids import alive
from tests.helpers import wait_until

ESCAPE = """\
import os, sys, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execve("/bin/sh", ["sh", "-c", f"echo $$ > {sys.argv[1]}; exec sleep 1000"], {})
    os._exit(0)
time.sleep(1000)
"""


def test_down_stops_a_process_that_double_forked_called_setsid_and_cleared_its_environment(project, tmp_path):
    script, pid_file = tmp_path / "escape.py", tmp_path / "escaped.pid"
    script.write_text(ESCAPE)
    project.write({"escaper": f"{sys.executable} {script} {pid_file}"})
    project.ok("up")
    escaped = wait_until(lambda: pid_file.exists() and pid_file.read_text().strip() and int(pid_file.read_text()), 10,
                         what="the escaped process's pid")
    try:
        assert "PLATFORM_DATA_DIR" not in open(f"/proc/{escaped}/environ").read(), "it left no trace in its environment"
        assert open(f"/proc/{escaped}/stat").read().rsplit(")", 1)[1].split()[1] == str(project.supervisord_pid()), \
            "its parent is supervisord"
        out = project.ok("down").stdout
        assert f"sleep (pid {escaped})" in out
        wait_until(lambda: not alive(escaped), 5, what="the escaped process gone")
    finally:
        if alive(escaped):  # the fixture could not find it: this test started it, so this test stops it
            os.kill(escaped, signal.SIGKILL)
