"""A real terminal for full-screen commands: a tmux session of a given size, keys in, screen out.

Each test gets its own tmux server (its own socket under the test's temp dir), so it never sees or
touches a tmux a person is running.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path

from tests.helpers import wait_until

TMUX = shutil.which("tmux")


class Terminal:
    def __init__(self, socket: Path, width: int, height: int):
        self.socket, self.width, self.height = socket, width, height

    def _tmux(self, *args: str) -> str:
        return subprocess.run([TMUX, "-S", str(self.socket), *args], capture_output=True, text=True, timeout=20, check=True).stdout

    def start(self, command: list[str], cwd: Path, env: dict[str, str]) -> None:
        env = {**env, "TERM": "xterm-256color", "COLORTERM": "truecolor"}
        line = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items() if k.isidentifier()) + " " + shlex.join(command)
        # remain-on-exit: the pane stays after the command ends, so a test can tell it ended.
        self._tmux("-f", "/dev/null", "new-session", "-d", "-x", str(self.width), "-y", str(self.height), "-c", str(cwd),
                   f"env -i {line}")
        self._tmux("set-option", "-g", "remain-on-exit", "on")

    def keys(self, *keys: str) -> None:
        self._tmux("send-keys", *keys)

    def screen(self, escapes: bool = False) -> str:
        return self._tmux("capture-pane", "-p", *(["-e"] if escapes else []))

    def wait_for(self, condition, timeout: float = 30, what: str = "screen") -> str:
        return wait_until(lambda: (text := self.screen()) and condition(text) and text, timeout, interval=0.1, what=what)

    def pane_pid(self) -> int:
        return int(self._tmux("display-message", "-p", "#{pane_pid}").strip())

    def ended(self) -> bool:
        return self._tmux("display-message", "-p", "#{pane_dead}").strip() == "1"

    def close(self) -> None:
        subprocess.run([TMUX, "-S", str(self.socket), "kill-server"], capture_output=True, timeout=20)
