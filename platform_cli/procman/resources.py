"""CPU and memory of the programs supervisord runs, sampled by the event listener on each TICK_5.

Sampling in the long-lived listener (as PM2's daemon does) keeps `platform status` free of a
measuring window and of psutil's import; what it shows is at most five seconds old.
"""

from __future__ import annotations

from platform_cli.procman.pids import PidRecord


class ResourceSampler:
    def __init__(self, record: PidRecord):
        self.record = record
        self._seen: dict = {}  # pid -> psutil.Process, which keeps the CPU baseline

    def sample(self) -> dict[str, dict]:
        """Program name -> {cpu_percent, memory_bytes}, each counting the program's children."""
        import psutil  # here, not at import: the listener must answer its first events quickly

        found, seen = {}, {}
        for name, pid in self.record.live().items():
            try:
                proc = self._seen.get(pid) or psutil.Process(pid)
                tree = [self._seen.get(p.pid, p) for p in (proc, *proc.children(recursive=True))]
                first = proc.pid not in self._seen
                cpu = sum(p.cpu_percent(interval=None) for p in tree)
                rss = sum(p.memory_info().rss for p in tree)
            except psutil.Error:
                continue
            seen.update({p.pid: p for p in tree})
            found[name] = {"cpu_percent": None if first else round(cpu, 1), "memory_bytes": rss}
        self._seen = seen
        return found
