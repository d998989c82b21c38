"""A temp project with real processes, driven through the real `platform` CLI."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.helpers import free_port, wait_until

APPS = Path(__file__).parent / "apps"
WEB = f"{sys.executable} {APPS / 'web.py'}"
WRITER = f"{sys.executable} {APPS / 'writer.py'}"


class Background:
    """A `platform` command left running (logs -f, run), its stdout collected line by line."""

    def __init__(self, proc: subprocess.Popen):
        self.proc = proc
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, condition, timeout: float = 30, what: str = "output"):
        return wait_until(lambda: condition(list(self.lines)), timeout, what=what)

    def stop(self, sig: int = signal.SIGINT, timeout: float = 60) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        code = self.proc.wait(timeout)
        self._reader.join(10)
        return code


def _toml_value(value) -> str:
    """JSON is TOML for strings, numbers, booleans and lists; a dict becomes an inline table."""
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    return json.dumps(value)


class Project:
    def __init__(self, root: Path):
        self.root = root
        self.data = root / "data"
        self.ports: dict[str, int] = {}
        self.background: list[subprocess.Popen] = []

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
                tables.append(f"[{name}]\n" + "".join(f"{k} = {_toml_value(v)}\n" for k, v in table.items()))
        (self.root / "platform.toml").write_text("\n".join(tables))
        if env:
            (self.root / ".env").write_text(env)

    def environ(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PLATFORM_")}
        # The user's config folder (the project last logged in from) is the test's own.
        env["XDG_CONFIG_HOME"] = str(self.root / ".user-config")
        return env

    def run(self, *args: str, timeout: float = 60, input: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
        env = self.environ()
        # A low cap keeps crash-loop tests short; the daemon reads it when `up` starts it.
        env["PLATFORM_BACKOFF_CAP"] = "8"
        return subprocess.run(
            [sys.executable, "-m", "platform_cli", *args],
            cwd=cwd or self.root, env=env, capture_output=True, text=True, timeout=timeout, input=input,
        )

    def spawn(self, *args: str) -> Background:
        proc = subprocess.Popen(
            [sys.executable, "-m", "platform_cli", *args],
            cwd=self.root, env=self.environ(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace",
        )
        self.background.append(proc)
        return Background(proc)

    def ok(self, *args: str, input: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
        result = self.run(*args, input=input, cwd=cwd)
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

    def wait_until_lines(self, count: int, timeout: float = 15) -> list[dict]:
        """Until the logs hold `count` lines in all."""
        def lines():
            out = self.run("logs", "--json", "-n", str(count)).stdout.splitlines()
            return len(out) >= count and [json.loads(line) for line in out]

        return wait_until(lines, timeout, what=f"{count} log lines")

    def supervisord_pid(self) -> int | None:
        try:
            return int((self.data / "supervisor" / "supervisord.pid").read_text())
        except (FileNotFoundError, ValueError):
            return None


@pytest.fixture
def project(tmp_path):
    proj = Project(tmp_path)
    yield proj
    for proc in proj.background:  # commands the test left running
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    # Stop what this test started: through supervisord if it answers, else by the recorded pids.
    proj.run("down", timeout=120)
    from platform_cli.procman.daemon import find_orphans, terminate

    leftover = [pid for pid, _ in find_orphans(proj.data)]
    daemon = proj.supervisord_pid()
    if daemon and _is_ours(daemon):
        leftover.append(daemon)
    terminate(leftover)


@pytest.fixture
def three_states(project):
    """A served web, a long-named worker and a stopped process: the status table's usual cases."""
    project.write({"web": f"{WEB} # $PORT", "a-rather-long-worker-name": "sleep 1000", "down": "sleep 1000"},
                  {"web": {"probe": "http:/health"}})
    project.ok("up")
    project.ok("stop", "down")
    project.wait_running("web", "a-rather-long-worker-name")
    return project


@pytest.fixture
def stack(project):
    """Every service of the repo's Procfile, the gateway in front, on free ports."""
    project.write(
        {"redis": "python -m services.redis", "orders": "python -m services.orders", "delivery": "python -m services.delivery",
         "tts": "python -m services.tts", "gateway": "python -m services.gateway"},
        {"redis": {"probe": "redis", "password": True},
         "orders": {"probe": "http:/health", "liveness": "http:/health/live", "depends_on": ["redis"]},
         "delivery": {"probe": "http:/health", "liveness": "http:/health/live", "depends_on": ["redis"]},
         "tts": {"probe": "http:/health", "depends_on": ["redis"]},
         "gateway": {"probe": "http:/health", "depends_on": ["orders", "delivery", "tts"]}},
        env="GTTS_TIMEOUT=1\n",
    )
    project.ok("up")
    return project


def _is_ours(pid: int) -> bool:
    try:
        return b"daemon_entry" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def kill(pid: int, sig: int = signal.SIGKILL) -> None:
    os.kill(pid, sig)
