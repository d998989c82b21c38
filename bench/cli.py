"""The `platform` CLI and stock supervisorctl as the benchmarks run them: the venv's executables,
and an environment free of the caller's PLATFORM_* settings (a benchmark must never reach a
platform a person is running)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psutil

BIN = Path(sys.executable).parent
PLATFORM = str(BIN / "platform")


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("PLATFORM_")}


def platform(root: Path, *args: str, check=True) -> subprocess.CompletedProcess:
    result = subprocess.run([PLATFORM, *args], cwd=root, env=clean_env(), capture_output=True, text=True)
    if check and result.returncode != 0:
        raise SystemExit(f"platform {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def platform_daemon_pids(data_dir: Path) -> tuple[int, list[int]]:
    """The pid of a data dir's supervisord and those of an event listener, which it no longer has
    (the recording runs inside supervisord since issue 19), should an older supervisord.conf still run one."""
    daemon = int((data_dir / "supervisor" / "supervisord.pid").read_text())
    listener = [c.pid for c in psutil.Process(daemon).children() if "listener" in " ".join(c.cmdline())]
    return daemon, listener


class Supervisorctl:
    """supervisorctl for one config file, with the environment that config's paths come from."""

    def __init__(self, conf: Path | str, env: dict[str, str]):
        self.argv = [str(BIN / "supervisorctl"), "-c", str(conf)]
        self.env = env

    def run(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([*self.argv, *args], env=self.env, capture_output=True, text=True)

    def answers(self) -> bool:
        return self.run("pid").returncode == 0

    def pid(self, name: str) -> int | None:
        out = self.run("pid", name).stdout.strip()
        return int(out) if out.isdigit() and out != "0" else None
