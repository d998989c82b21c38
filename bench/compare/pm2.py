"""PM2 (from the npm registry, in a temp prefix, one PM2_HOME per run): an ecosystem file,
`pm2 start`, `pm2 status`, `pm2 logs --raw`, `pm2 kill`."""

from __future__ import annotations

import json
from pathlib import Path

from bench.burst import Reader
from bench.compare.workload import NAMES, WRITER_NAME, Manager, Workload
from bench.pm2 import PM2


class Pm2(Manager):
    commands = {"start": "pm2 start ecosystem.json", "status": "pm2 status", "follow": "pm2 logs writer --raw --lines 0",
                "start all, daemon up": "pm2 stop all, then pm2 start all",
                "stop": "pm2 kill (every process and the daemon)"}

    def __init__(self, workload: Workload, prefix_root: Path, version: str):
        super().__init__(workload)
        self.label = f"PM2 {version}"
        self.pm2 = PM2(prefix_root, home=workload.dir / "pm2-home")
        apps = [{"name": name, "script": command[1], "interpreter": command[0], "env": workload.env(name), "autorestart": True}
                for name in NAMES for command in [workload.command(name)]]
        (workload.dir / "ecosystem.json").write_text(json.dumps({"apps": apps}, indent=2))

    def start_command(self):
        return self.pm2.command("start", "ecosystem.json"), self.pm2.env

    def pid_of(self, name: str) -> int | None:
        return self.pm2.pid(name)

    def status_command(self):
        return self.pm2.command("status"), self.pm2.env

    def daemon_pids(self) -> list[int]:
        return [self.pm2.daemon_pid()]

    def follow(self, total: int) -> Reader:
        return Reader.follow(self.pm2.follow_command(WRITER_NAME), self.pm2.env, self.workload.dir, total)

    def log_file(self, name: str) -> Path:
        return self.pm2.home / "logs" / f"{name}-out.log"  # PM2's default out file

    def stop_all(self) -> None:
        self.pm2.kill()

    def stop_programs(self) -> None:
        if self.pm2.run("stop", "all").returncode != 0:
            raise SystemExit("pm2 stop all failed")

    def start_all_command(self):
        return self.pm2.command("start", "all"), self.pm2.env

    def cleanup(self) -> None:
        super().cleanup()
        self.pm2.kill()
