"""CPU and memory of one program's whole process group, sampled by the daemon's watchdog.

Sampling in the long-lived listener (as PM2's daemon does) keeps `platform status` free of a
measuring window and of psutil's import. The group, not just the program's pid, is what a memory
limit must count: supervisord makes each program a group leader, and what it forks stays in the
group (and is stopped with it: `stopasgroup`) even after its parent has gone.
"""

from __future__ import annotations

import os


def group_members(pgid: int) -> list[int]:
    """Pids whose process group is `pgid`, read from /proc (psutil has no call for it)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        if int(fields[2]) == pgid and fields[0] != b"Z":  # fields: state, ppid, pgrp, ...
            found.append(int(entry))
    return found


class GroupSampler:
    def __init__(self, pgid: int):
        self.pgid = pgid
        self._seen: dict = {}  # pid -> psutil.Process, which keeps the CPU baseline

    def sample(self) -> tuple[float | None, int | None]:
        """(CPU % since the previous sample, None on the first; resident bytes) of the whole group."""
        import psutil  # here, not at import: the listener must answer its first events quickly

        cpu, rss, seen, first = 0.0, 0, {}, not self._seen
        for pid in group_members(self.pgid) or [self.pgid]:
            try:
                proc = self._seen.get(pid) or psutil.Process(pid)
                cpu += proc.cpu_percent(interval=None)
                rss += proc.memory_info().rss
            except psutil.Error:
                continue
            seen[pid] = proc
        self._seen = seen
        if not seen:
            return None, None
        return (None if first else round(cpu, 1)), rss
