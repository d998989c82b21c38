"""Stock supervisord (the venv's supervisor package, unpatched) with supervisorctl: one
supervisord.conf with the five programs, autostarted; `supervisorctl status`,
`supervisorctl tail -f`, `supervisorctl shutdown`."""

from __future__ import annotations

from pathlib import Path

from bench.burst import Reader
from bench.cli import BIN, Supervisorctl, clean_env
from bench.compare.workload import NAMES, WRITER_NAME, Manager, Workload

CONF = """\
[unix_http_server]
file={dir}/supervisor.sock
chmod=0700

[supervisord]
logfile={dir}/supervisord.log
pidfile={dir}/supervisord.pid
childlogdir={dir}

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix://{dir}/supervisor.sock
"""

PROGRAM = """
[program:{name}]
command={command}
environment={environment}
autostart=true
autorestart=true
stopasgroup=true
killasgroup=true
stdout_logfile={dir}/{name}.log
stderr_logfile={dir}/{name}.err.log
"""


class Supervisord(Manager):
    label = "supervisord"
    commands = {"start": "supervisord -c supervisord.conf (programs autostart)", "status": "supervisorctl status",
                "follow": "supervisorctl tail -f writer",
                "start all, daemon up": "supervisorctl stop all, then supervisorctl start all",
                "stop": "supervisorctl shutdown (every process and the daemon)"}

    def __init__(self, workload: Workload):
        super().__init__(workload)
        self.conf = workload.dir / "supervisord.conf"
        self.ctl = Supervisorctl(self.conf, clean_env())
        text = CONF.format(dir=workload.dir)
        for name in NAMES:
            environment = ",".join(f'{k}="{v}"' for k, v in workload.env(name).items())
            text += PROGRAM.format(name=name, command=" ".join(workload.command(name)), environment=environment, dir=workload.dir)
        self.conf.write_text(text)

    def start_command(self):
        return [str(BIN / "supervisord"), "-c", str(self.conf)], self.ctl.env  # it daemonizes: returns once forked

    def pid_of(self, name: str) -> int | None:
        return self.ctl.pid(name)

    def status_command(self):
        return [*self.ctl.argv, "status"], self.ctl.env

    def daemon_pids(self) -> list[int]:
        return [int((self.workload.dir / "supervisord.pid").read_text())]

    def follow(self, total: int) -> Reader:
        return Reader.follow([*self.ctl.argv, "tail", "-f", WRITER_NAME], self.ctl.env, self.workload.dir, total)

    def log_file(self, name: str) -> Path:
        return self.workload.dir / f"{name}.log"  # stdout_logfile

    def stop_all(self) -> None:
        self.ctl.run("shutdown")

    def stop_programs(self) -> None:
        if self.ctl.run("stop", "all").returncode != 0:
            raise SystemExit("supervisorctl stop all failed")

    def start_all_command(self):
        return [*self.ctl.argv, "start", "all"], self.ctl.env

    def cleanup(self) -> None:
        super().cleanup()
        if self.ctl.answers():
            self.ctl.run("shutdown")
