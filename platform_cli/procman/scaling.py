"""`platform scale NAME=N`: more or fewer instances of a process, at runtime, without a failed request.

Up: the new instances start (each its own program and PORT; instances.py), and enter the
registry once ready, so the gateway sends them requests only then. Down: the leaving instances
are marked "draining" in the registry first, so the gateway stops sending them new requests;
after DRAIN_S (the gateway re-reads the registry within 50 ms) supervisord stops them with
SIGTERM, on which a service finishes the requests it has (services/common/runner.py) before
it exits. Instance 1 (the Procfile's name) is never touched: peers hold its address.
"""

from __future__ import annotations

import time
from pathlib import Path

from platform_cli.procman.instances import DRAINING, make_registry, write_registry

DRAIN_S = 1.0


def drain(data_dir: Path, project, leaving: list[str], drain_s: float = DRAIN_S, sleep=time.sleep) -> None:
    """Take `leaving` out of rotation: registry first, then time for the gateway to notice."""
    if leaving:
        write_registry(data_dir, make_registry(project, states={n: DRAINING for n in leaving}))
        sleep(drain_s)


def scale(rollout, old, new, programs, render, name: str, data_dir: Path, reporter) -> list[str]:
    """Move `name` from its instances in `old` (a Project) to those in `new`; return them, ready."""
    leaving = [n for n in old.instances_of(name) if n not in new.processes]
    for gone in leaving:
        reporter.note(f"{gone}: draining, then stopping")
    drain(data_dir, old, leaving)
    wanted = new.instances_of(name)
    started = rollout.apply(new, programs, render, wanted, data_dir, reporter)
    write_registry(data_dir, make_registry(new))
    return started
