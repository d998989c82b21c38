"""The workload every manager runs, and the interface each manager's module offers the runner.

Four `bench/apps/hello.py` services (a, b, c, d) on free 127.0.0.1 ports and one log writer
(`tests/e2e/apps/writer.py`). Every manager runs the same two commands, `<venv python> hello.py`
and `<venv python> writer.py`, with the same environment given its own way (PM2's ecosystem
`env`, supervisord's `environment=`, the `.env` file honcho and platform read); the ports follow
honcho's numbering (base, base + 100, …) so that one Procfile serves honcho and platform alike.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from bench.burst import WRITER, Reader, writer_env
from tests.helpers import free_port

ROOT = Path(__file__).resolve().parents[2]
HELLO = ROOT / "bench" / "apps" / "hello.py"
SERVICES = ("a", "b", "c", "d")
WRITER_NAME = "writer"
NAMES = (*SERVICES, WRITER_NAME)


@dataclass(frozen=True)
class Workload:
    dir: Path  # this manager's own directory for this round: config, data, logs
    base_port: int
    lines: int  # the burst
    burst_delay: float  # seconds from the writer's start to its burst

    @property
    def ports(self) -> dict[str, int]:
        return {name: self.base_port + 100 * i for i, name in enumerate(SERVICES)}

    @property
    def times(self) -> Path:
        return self.dir / "burst-times"

    def command(self, name: str) -> list[str]:
        return [sys.executable, str(WRITER if name == WRITER_NAME else HELLO)]

    def env(self, name: str) -> dict[str, str]:
        """The environment a manager gives `name` (on top of its own)."""
        own = writer_env(self.lines, self.burst_delay, self.times) if name == WRITER_NAME else {"PORT": str(self.ports[name])}
        return {**own, "PYTHONUNBUFFERED": "1"}

    def write_procfile(self) -> None:
        """Procfile and .env, for the managers that read them (honcho, platform). The .env
        holds the writer's settings: both give it to every process, and only the writer reads them."""
        procfile = [f"{name}: {' '.join(self.command(name))}" for name in NAMES]
        (self.dir / "Procfile").write_text("\n".join(procfile) + "\n")
        (self.dir / ".env").write_text("".join(f"{k}={v}\n" for k, v in self.env(WRITER_NAME).items()))


def make_workload(path: Path, lines: int, burst_delay: float) -> Workload:
    path.mkdir(parents=True)
    return Workload(path, free_base_port(len(NAMES)), lines, burst_delay)


def free_base_port(count: int) -> int:
    """A port p with p, p + 100, … p + 100 * (count - 1) all free on 127.0.0.1."""
    while True:
        base = free_port()
        ports = [base + 100 * i for i in range(count)]
        if ports[-1] <= 65535 and all(_free(p) for p in ports):
            return base


def _free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


class Manager:
    """One process manager running one Workload. The runner times the calls; a manager only
    issues its own commands, the way a person would. Subclasses name their commands."""

    label: str  # the table's column heading
    restarts = True  # restarts a crashed process (honcho does not: it stops everything)
    commands: ClassVar[dict[str, str]]  # what each measure ran, for the notes: start, status, follow, stop

    def __init__(self, workload: Workload):
        self.workload = workload
        self.launch: subprocess.Popen | None = None

    def start_command(self) -> tuple[list[str], dict[str, str]]:
        raise NotImplementedError

    def start(self) -> None:
        """Issue the start-all command and return at once."""
        cmd, env = self.start_command()
        # Its stderr goes to a file: a daemon it forks must not hold a pipe of ours.
        with open(self.workload.dir / "start.err", "w") as errors:
            self.launch = subprocess.Popen(cmd, cwd=self.workload.dir, env=env, stdout=subprocess.DEVNULL, stderr=errors)

    def wait_started(self) -> None:
        """Until the start command itself has finished."""
        if self.launch.wait(120) != 0:
            raise SystemExit(f"{self.commands['start']} failed: {(self.workload.dir / 'start.err').read_text()}")

    def pid_of(self, name: str) -> int | None:
        """The pid the manager reports for `name`, asked through the manager's own command."""
        raise NotImplementedError

    def status_command(self) -> tuple[list[str], dict[str, str]] | None:
        """The status command and its environment, or None where the manager has none."""
        raise NotImplementedError

    def daemon_pids(self) -> list[int]:
        """The manager's own processes whose memory is reported."""
        raise NotImplementedError

    def helper_pids(self) -> list[int]:
        """Further processes of the manager's own, not counted in the memory row but noted."""
        return []

    def follow(self, total: int) -> Reader:
        """The manager's live view of the writer's output, as it shows it."""
        raise NotImplementedError

    def log_file(self, name: str) -> Path | None:
        """The file the manager writes `name`'s stdout to; None where it keeps none."""
        return None

    def stop_all(self) -> None:
        """Issue the stop-all command and wait until the command returns."""
        raise NotImplementedError

    def stop_programs(self) -> None:
        """Stop every program through the manager, its daemon left running (see startall.py)."""
        raise NotImplementedError

    def start_all_command(self) -> tuple[list[str], dict[str, str]] | None:
        """The start-all command for a daemon that is up, and its environment; None where the
        manager has no daemon to keep up (see startall.py)."""
        return None

    def cleanup(self) -> None:
        """Best effort after an error: stop everything this manager started."""
        if self.launch is not None and self.launch.poll() is None:
            self.launch.kill()
            self.launch.wait()
