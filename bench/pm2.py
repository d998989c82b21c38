"""PM2 for side-by-side runs: installed from the npm registry into a temp prefix, its own PM2_HOME."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path


class PM2:
    """PM2 installed under `root`; `home` (default: beside it) holds its daemon's socket, pid and logs."""

    def __init__(self, root: Path, home: Path | None = None):
        self.prefix = root / "pm2-prefix"
        self.home = home or root / "pm2-home"
        self.bin = self.prefix / "node_modules" / ".bin" / "pm2"
        self.env = {**os.environ, "PM2_HOME": str(self.home)}

    def install(self) -> str:
        if shutil.which("npm") is None:
            raise SystemExit("--pm2 needs npm (Node.js) on PATH")
        subprocess.run(["npm", "install", "--silent", "--prefix", str(self.prefix), "pm2@latest"], check=True,
                       stdout=subprocess.DEVNULL)
        out = self.run("--version").stdout
        self.kill()  # even `--version` starts a daemon: a run starts from none
        return out.strip().splitlines()[-1]  # the first call prints a banner before the version

    def run(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(self.command(*args), env=self.env, capture_output=True, text=True)

    def start(self, name: str, script: str, interpreter: str, env: dict[str, str]) -> None:
        result = subprocess.run(
            self.command("start", script, "--name", name, "--interpreter", interpreter),
            env={**self.env, **env}, capture_output=True, text=True,
        )
        if result.returncode != 0:
            raise SystemExit(f"pm2 start failed: {result.stderr}")

    def command(self, *args: str) -> list[str]:
        return [str(self.bin), *args]

    def follow_command(self, name: str) -> list[str]:
        """`pm2 logs` showing each new line as the program printed it, none from before."""
        return self.command("logs", name, "--raw", "--lines", "0")

    def pid(self, name: str) -> int | None:
        for proc in json.loads(self.run("jlist").stdout or "[]"):
            if proc["name"] == name:
                return proc.get("pid") or None
        return None

    def daemon_pid(self) -> int:
        return int((self.home / "pm2.pid").read_text())

    def kill(self) -> None:
        self.run("kill")
