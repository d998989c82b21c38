"""`platform` (this project): `platform up`, `status`, `logs -f`, `down`.

(Not `platform.py`: that name would shadow the standard library's module.)
"""

from __future__ import annotations

import json
from pathlib import Path

from bench.burst import Reader
from bench.cli import PLATFORM, clean_env, platform, platform_daemon_pids
from bench.compare.workload import WRITER_NAME, Manager, Workload


class Platform(Manager):
    label = "platform"
    commands = {"start": "platform up", "status": "platform status", "follow": "platform logs -f -n 0 writer",
                "start all, daemon up": "platform stop --all, then platform start --all",
                "stop": "platform down (every process and supervisord)"}

    def __init__(self, workload: Workload):
        super().__init__(workload)
        self.env = clean_env()
        workload.write_procfile()
        # Probed every second (1 s timeout; liveness restarts after 3 failures in a row, the default).
        tables = [f'[{name}]\nprobe = "http:/health"\nport = {port}\nprobe_interval = 1\nprobe_timeout = 1\n'
                  for name, port in workload.ports.items()]
        (workload.dir / "platform.toml").write_text("\n".join(tables))

    def start_command(self):
        return [PLATFORM, "up"], self.env

    def pid_of(self, name: str) -> int | None:
        rows = json.loads(platform(self.workload.dir, "status", "--json", name, check=False).stdout or "[]")
        return rows[0]["pid"] if rows else None

    def status_command(self):
        return [PLATFORM, "status"], self.env

    def daemon_pids(self) -> list[int]:
        daemon, listener = platform_daemon_pids(self.workload.dir / "data")
        return [daemon, *listener]

    def follow(self, total: int) -> Reader:
        return Reader.follow([PLATFORM, "logs", "-f", "-n", "0", WRITER_NAME], self.env, self.workload.dir, total)

    def log_file(self, name: str) -> Path:
        return self.workload.dir / "data" / "logs" / f"{name}.log"

    def stop_all(self) -> None:
        platform(self.workload.dir, "down")

    def stop_programs(self) -> None:
        platform(self.workload.dir, "stop", "--all")

    def start_all_command(self):
        return [PLATFORM, "start", "--all"], self.env

    def cleanup(self) -> None:
        super().cleanup()
        platform(self.workload.dir, "down", check=False)
