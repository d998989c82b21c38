"""Exit 8 names the process holding a Procfile process's port (pid and command)."""

from __future__ import annotations

import subprocess
import sys

from tests.e2e.conftest import WEB
from tests.helpers import die_with_parent, port_is_listening, wait_until

LISTENER = "import socket, sys, time; s = socket.socket(); s.bind(('127.0.0.1', int(sys.argv[1]))); s.listen(); time.sleep(600)"


def test_up_exits_8_naming_the_pid_and_command_holding_the_port(project):
    project.write({"web": f"{WEB} # $PORT"})
    port = project.ports["web"]
    squatter = subprocess.Popen([sys.executable, "-c", LISTENER, str(port)], preexec_fn=die_with_parent)
    try:
        wait_until(lambda: port_is_listening(port), 10, what=f"the squatter on port {port}")
        result = project.run("up")
    finally:
        squatter.kill()
        squatter.wait(10)
    assert result.returncode == 8, result.stderr
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"error: port {port} for web is already in use by pid {squatter.pid} (")
    assert sys.executable in first and "s.listen()" in first and str(port) in first
    assert "Traceback" not in result.stderr
