"""`platform logs -f` shows a burst exactly as `platform logs` shows the same lines afterwards:
piped (no colour) and on a terminal (honcho's colours), byte for byte. The follower formats a
chunk of lines at a time (log_view), `logs` one line at a time: they must not differ."""

from __future__ import annotations

import os
import pty
import signal
import subprocess
import sys
import threading

from tests.e2e.conftest import WRITER
from tests.helpers import wait_until

LINES = 30_000
# Longer than "system", the lifecycle lines' name: `logs -f` and `logs` then align names alike.
NAME = "burster"


def is_lifecycle(line: bytes) -> bool:
    return b" system " in line  # only `logs -f` shows them


def test_a_followed_burst_is_piped_as_logs_prints_it(project):
    project.write({NAME: f"env COUNT={LINES} START_DELAY=1.5 TAG=b {WRITER}"})
    follow = project.spawn("logs", "-f", "-n", "0", NAME)
    project.ok("up")
    follow.wait_for(lambda lines: sum(" b " in line for line in lines) >= LINES, timeout=60, what=f"{LINES} lines through logs -f")
    assert follow.stop() == 130
    shown = [line for line in follow.lines if " system " not in line]
    assert shown == project.ok("logs", "-n", str(LINES), NAME).stdout.splitlines()
    assert "\x1b[" not in "".join(shown) and shown[-1].endswith(f"| b {shown[-1].split()[-2]} {LINES - 1}")


class OnATerminal:
    """A `platform` command whose stdout is a terminal (so it colours its output), read as bytes."""

    def __init__(self, project, *args: str):
        master, slave = pty.openpty()
        env = {k: v for k, v in project.environ().items() if k != "NO_COLOR"}
        self.proc = subprocess.Popen([sys.executable, "-m", "platform_cli", *args], cwd=project.root, env=env,
                                     stdin=subprocess.DEVNULL, stdout=slave, stderr=subprocess.DEVNULL)
        os.close(slave)
        project.background.append(self.proc)  # killed by the fixture should the test fail before finish()
        self.master, self.out = master, bytearray()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self.master, 1 << 16)
            except OSError:  # EIO: the command closed the terminal
                return
            if not data:
                return
            self.out.extend(data)

    def lines(self) -> list[bytes]:
        return [line for line in bytes(self.out).split(b"\r\n") if line and not is_lifecycle(line)]

    def finish(self, sig: int | None = None) -> int:
        if sig is not None:
            self.proc.send_signal(sig)
        code = self.proc.wait(30)
        self.reader.join(10)
        os.close(self.master)
        return code


def test_a_followed_burst_on_a_terminal_is_coloured_as_logs_colours_it(project):
    project.write({NAME: f"env COUNT={LINES} START_DELAY=1.5 TAG=b {WRITER}"})
    follow = OnATerminal(project, "logs", "-f", "-n", "0", NAME)
    project.ok("up")
    # honcho's colouring ends the prefix with a reset: "\x1b[0mb PID N"
    wait_until(lambda: bytes(follow.out).count(b"\x1b[0mb ") >= LINES, 60, what=f"{LINES} lines through logs -f on a terminal")
    assert follow.finish(signal.SIGINT) == 130
    afterwards = OnATerminal(project, "logs", "-n", str(LINES), NAME)
    assert afterwards.finish() == 0
    shown = follow.lines()
    assert len(shown) == LINES and shown == afterwards.lines()
    assert shown[0].startswith(b"\x1b[0m\x1b[36m") and shown[0].endswith(b" | \x1b[0mb %d 0" % int(shown[0].split()[-2]))
