"""Start all with the daemon already up: every program stopped through the manager, its daemon
left running, then the manager's own start-all command, timed to all four /health answering 200.

`platform start --all`, `supervisorctl start all`, `pm2 start all`; honcho has no daemon to keep
up, so no figure. A manager's start_all_command() says what it runs (None: no such command).
"""

from __future__ import annotations

import subprocess
import time

from bench.compare.workload import Manager, Workload
from bench.measure import healthy, wait_all_healthy
from tests.helpers import wait_until


def start_all_daemon_up(manager: Manager, workload: Workload) -> float | None:
    """Stop every program (the daemon stays up), wait until none answers, then time the start-all
    command to all four healthy; None when the manager has no such command."""
    command = manager.start_all_command()
    if command is None:
        return None
    manager.stop_programs()
    ports = list(workload.ports.values())
    wait_until(lambda: not any(healthy(p) for p in ports), 30, interval=0.01, what="every service to stop answering")
    cmd, env = command
    with open(workload.dir / "start-all.err", "w") as errors:
        start = time.perf_counter()
        launch = subprocess.Popen(cmd, cwd=workload.dir, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        try:
            wait_all_healthy(ports)
            took = time.perf_counter() - start
        finally:
            code = launch.wait(120)
    if code != 0:
        raise SystemExit(f"{' '.join(cmd)} exited {code}: {(workload.dir / 'start-all.err').read_text()}")
    return took
