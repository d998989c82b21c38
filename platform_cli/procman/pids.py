"""Which processes a data dir's supervisord spawned, recorded by the daemon itself at each spawn.

After supervisord is SIGKILLed its children live on, orphaned; this record is how `platform up`
and `platform down` find them. Each pid is stored with its kernel start time, so a pid the kernel
has since reused for an unrelated process is never mistaken for ours.
"""

from __future__ import annotations

import json
from pathlib import Path

from platform_cli.procman.privatefile import write_private


def start_ticks(pid: int) -> int | None:
    """The process's start time in clock ticks since boot (/proc/<pid>/stat field 22), None if gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None
    return None if fields[0] == "Z" else int(fields[19])  # a zombie is as good as gone


def alive(pid: int) -> bool:
    return start_ticks(pid) is not None


class PidRecord:
    def __init__(self, run_dir: Path):
        self.path = run_dir / "pids.json"

    def add(self, name: str, pid: int) -> None:
        entries = {n: e for n, e in self._load().items() if start_ticks(e[0]) == e[1]}
        entries[name] = [pid, start_ticks(pid)]
        write_private(self.path, json.dumps(entries))

    def live(self) -> dict[str, int]:
        """Name -> pid of each recorded process that is still the one we started."""
        return {name: pid for name, (pid, ticks) in self._load().items() if ticks is not None and start_ticks(pid) == ticks}

    def _load(self) -> dict[str, list]:
        try:
            return json.loads(self.path.read_text())
        except (FileNotFoundError, ValueError):
            return {}
