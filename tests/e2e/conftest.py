"""A temp project with real processes, driven through the real `platform` CLI."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import free_port, wait_until

APPS = Path(__file__).parent / "apps"
WEB = f"{sys.executable} {APPS / 'web.py'}"


class Project:
    def __init__(self, root: Path):
        self.root = root
        self.data = root / "data"
        self.ports: dict[str, int] = {}

    def write(self, processes: dict[str, str], options: dict[str, dict] | None = None, env: str = "") -> None:
        """Procfile lines and platform.toml tables; every process gets its own free port."""
        options = options or {}
        (self.root / "Procfile").write_text("".join(f"{n}: {c}\n" for n, c in processes.items()))
        tables = []
        for name in processes:
            table = dict(options.get(name, {}))
            if "$PORT" in processes[name] or table.get("probe", "none") != "none":
                table.setdefault("port", free_port())
                self.ports[name] = table["port"]
            if table:
                tables.append(f"[{name}]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in table.items()))
        (self.root / "platform.toml").write_text("\n".join(tables))
        if env:
            (self.root / ".env").write_text(env)

    def run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PLATFORM_")}
        # A low cap keeps crash-loop tests short; the daemon reads it when `up` starts it.
        env["PLATFORM_BACKOFF_CAP"] = "8"
        return subprocess.run(
            [sys.executable, "-m", "platform_cli", *args],
            cwd=self.root, env=env, capture_output=True, text=True, timeout=timeout,
        )

    def ok(self, *args: str) -> subprocess.CompletedProcess:
        result = self.run(*args)
        assert result.returncode == 0, f"platform {' '.join(args)} exited {result.returncode}\n{result.stdout}\n{result.stderr}"
        return result

    def status(self, *names: str) -> dict[str, dict]:
        result = self.run("status", "--json", *names)
        assert result.returncode in (0, 3), result.stderr
        return {row["name"]: row for row in json.loads(result.stdout)}

    def events(self, *names: str) -> list[dict]:
        out = self.ok("events", "--json", "-n", "1000", *names).stdout
        return [json.loads(line) for line in out.splitlines()]

    def wait_events(self, name: str, until, timeout: float = 10) -> list[dict]:
        """The event history of `name` once `until(events)` holds: the listener records asynchronously."""
        return wait_until(lambda: until(found := self.events(name)) and found, timeout, what=f"events of {name}")

    def wait_healthy(self, name: str, timeout: float = 15) -> dict:
        return wait_until(
            lambda: (row := self.status().get(name)) and row["health"]["status"] in ("ok", "none") and row["pid"] and row,
            timeout, what=f"{name} healthy",
        )

    def wait_running(self, *names: str, timeout: float = 10) -> dict[str, dict]:
        """Past supervisord's startsecs: a crash now is an EXITED, not a BACKOFF."""
        return wait_until(
            lambda: all((rows := self.status())[n]["state"] == "RUNNING" for n in names) and rows,
            timeout, what=f"{', '.join(names)} RUNNING",
        )

    def supervisord_pid(self) -> int | None:
        try:
            return int((self.data / "supervisor" / "supervisord.pid").read_text())
        except (FileNotFoundError, ValueError):
            return None


@pytest.fixture
def project(tmp_path):
    proj = Project(tmp_path)
    yield proj
    # Stop what this test started: through supervisord if it answers, else by the recorded pids.
    proj.run("down", timeout=120)
    from platform_cli.procman.daemon import find_orphans, terminate

    leftover = [pid for pid, _ in find_orphans(proj.data)]
    daemon = proj.supervisord_pid()
    if daemon and _is_ours(daemon):
        leftover.append(daemon)
    terminate(leftover)


def _is_ours(pid: int) -> bool:
    try:
        return b"daemon_entry" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def kill(pid: int, sig: int = signal.SIGKILL) -> None:
    os.kill(pid, sig)
