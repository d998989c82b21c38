"""CPU and memory of one program's whole process group, sampled by the daemon's watchdog.

Sampling in the long-lived daemon (as PM2's does) keeps `platform status` free of a measuring
window. The group, not just the program's pid, is what a memory limit must count: supervisord
makes each program a group leader, and what it forks stays in the group (and is stopped with it:
`stopasgroup`) even after its parent has gone.

Read straight from /proc/<pid>/stat, which also tells each process's group: the watchdog runs
inside supervisord, where psutil's import alone would add ~0.75 MB to the daemon's memory, for
two numbers that one read per process already holds (the same ones psutil reads on Linux).
"""

from __future__ import annotations

import os
import time

TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
# Indexes in /proc/<pid>/stat after the command's closing parenthesis (proc(5) numbers - 3).
STATE, PGRP, UTIME, STIME, STARTTIME, RSS = 0, 2, 11, 12, 19, 21


def _group_stats(pgid: int) -> dict[int, list[bytes]]:
    """pid -> its /proc stat fields, for every live process whose process group is `pgid`."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        if int(fields[PGRP]) == pgid and fields[STATE] != b"Z":
            found[int(entry)] = fields
    return found


def group_members(pgid: int) -> list[int]:
    """Pids whose process group is `pgid` (psutil has no call for it)."""
    return list(_group_stats(pgid))


class GroupSampler:
    def __init__(self, pgid: int, clock=time.monotonic):
        self.pgid = pgid
        self.clock = clock
        self._seen: dict[tuple[int, bytes], float] = {}  # (pid, its start time) -> CPU seconds at the last sample
        self._at: float | None = None

    def sample(self) -> tuple[float | None, int | None]:
        """(CPU % since the previous sample, None on the first; resident bytes) of the whole group.
        A process new to the group since the last sample adds no CPU yet (it has no baseline),
        as with psutil's cpu_percent(interval=None)."""
        now, stats = self.clock(), _group_stats(self.pgid)
        if not stats:
            self._seen, self._at = {}, None
            return None, None
        seen, cpu_s, rss = {}, 0.0, 0
        for pid, fields in stats.items():
            key, spent = (pid, fields[STARTTIME]), (int(fields[UTIME]) + int(fields[STIME])) / TICKS
            if key in self._seen:
                cpu_s += spent - self._seen[key]
            seen[key] = spent
            rss += int(fields[RSS]) * PAGE
        first, elapsed = self._at is None, now - (self._at or now)
        self._seen, self._at = seen, now
        if first:
            return None, rss
        return (round(100 * cpu_s / elapsed, 1) if elapsed > 0 else 0.0), rss
