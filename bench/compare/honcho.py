"""honcho (`honcho start`, the Procfile runner): it prints every process's output on its own
stdout, has no status command, and stops everything when one process exits."""

from __future__ import annotations

import signal
import subprocess

import psutil

from bench.burst import Reader
from bench.cli import BIN, clean_env
from bench.compare.workload import Manager, Workload


class Honcho(Manager):
    label = "honcho"
    restarts = False
    commands = {"start": "honcho start", "status": "n/a (honcho has none)", "follow": "honcho's own stdout",
                "start all, daemon up": "n/a (honcho has no daemon)",
                "stop": "SIGTERM to honcho, until it exits"}

    def __init__(self, workload: Workload):
        super().__init__(workload)
        self.reader: Reader | None = None
        workload.write_procfile()

    def start(self) -> None:  # in the foreground, printing everything: its stdout is read from the start
        self.launch = subprocess.Popen([str(BIN / "honcho"), "start", "-p", str(self.workload.base_port)], cwd=self.workload.dir,
                                     env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.reader = Reader(self.launch.stdout, self.workload.lines)

    def wait_started(self) -> None:
        pass  # `honcho start` returns only once everything has stopped

    def pid_of(self, name: str) -> int | None:
        """The program itself (honcho runs each command with `sh -c`)."""
        script = self.workload.command(name)[-1]
        for proc in psutil.Process(self.launch.pid).children(recursive=True):
            try:
                if proc.environ().get("HONCHO_PROCESS_NAME") == f"{name}.1" and proc.cmdline()[-1:] == [script]:
                    return proc.pid
            except psutil.Error:
                pass
        return None

    def status_command(self):
        return None

    def daemon_pids(self) -> list[int]:
        return [self.launch.pid]

    def helper_pids(self) -> list[int]:
        """honcho forks one Python process per program, which runs it and relays its output."""
        return [c.pid for c in psutil.Process(self.launch.pid).children() if "honcho" in " ".join(c.cmdline())]

    def follow(self, total: int) -> Reader:
        return self.reader

    def stop_all(self) -> None:
        self.launch.send_signal(signal.SIGTERM)
        self.launch.wait(60)

    def cleanup(self) -> None:  # SIGTERM first: honcho then stops its programs itself
        if self.launch is not None and self.launch.poll() is None:
            self.launch.terminate()
            try:
                self.launch.wait(10)
            except subprocess.TimeoutExpired:
                self.launch.kill()
                self.launch.wait()
