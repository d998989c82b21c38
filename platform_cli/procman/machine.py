"""Every platform running on this machine, with its state: what `platform ls` shows."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from platform_cli.procman import states
from platform_cli.procman.registry import PlatformEntry, running_platforms


@dataclass(frozen=True)
class PlatformStatus:
    entry: PlatformEntry
    running: int | None  # processes RUNNING; None when its supervisord does not answer
    total: int | None

    @property
    def state(self) -> str:
        if self.running is None:
            return "not answering"
        return f"{self.running}/{self.total} running"

    def to_json(self) -> dict:
        return {**self.entry.to_json(), "running": self.running, "total": self.total, "state": self.state}


def list_platforms(environ=os.environ) -> list[PlatformStatus]:
    from platform_cli.errors import PlatformError
    from platform_cli.procman.supervisor import SupervisorClient

    found = []
    for entry in running_platforms(environ):
        client = SupervisorClient(Path(entry.data_dir) / "supervisor" / "supervisord.sock", timeout=2)
        try:
            infos = client.processes()
            found.append(PlatformStatus(entry, sum(i.state == states.RUNNING for i in infos), len(infos)))
        except PlatformError:
            found.append(PlatformStatus(entry, None, None))
    return found
