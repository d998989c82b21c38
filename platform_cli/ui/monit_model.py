"""What `platform monit` shows, as pure functions: the rows' cells and the CPU/memory history.

The daemon keeps only the latest sample of each process (samples.json), so the history behind
the sparklines is kept here, in the viewer, one point per snapshot: a ring buffer per process
that forgets a process's past when its pid changes (a new process, a new curve). Kept apart
from the textual app so a unit test can drive it without a terminal.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from platform_cli.ui.format import duration, size

BARS = "▁▂▃▄▅▆▇█"
HISTORY_POINTS = 180  # three minutes at one snapshot a second


@dataclass
class Trend:
    pid: int | None = None
    cpu: deque = field(default_factory=lambda: deque(maxlen=HISTORY_POINTS))
    memory: deque = field(default_factory=lambda: deque(maxlen=HISTORY_POINTS))


class History:
    """CPU and memory of each process over the last minutes, from successive snapshots."""

    def __init__(self) -> None:
        self.trends: dict[str, Trend] = {}

    def add(self, rows) -> None:
        for row in rows:
            trend = self.trends.setdefault(row.name, Trend())
            if row.pid != trend.pid:
                self.trends[row.name] = trend = Trend(pid=row.pid)
            if row.pid and row.cpu_percent is not None:
                trend.cpu.append(row.cpu_percent)
                trend.memory.append(row.memory_bytes or 0)

    def of(self, name: str) -> Trend:
        return self.trends.get(name) or Trend()


def sparkline(values, width: int, floor: float = 0.0, relative: bool = False) -> str:
    """The last `width` values as block characters, scaled from 0 to their maximum (or `floor`);
    `relative` (memory): from their minimum to their maximum, a level line when they hardly move."""
    points = list(values)[-width:]
    if not points:
        return " " * width
    low, top = (min(points), max(points)) if relative else (0.0, max(max(points), floor))
    if top - low <= (0.01 * top if relative else 0) or not top:
        return (BARS[len(BARS) // 2 - 1] * len(points) if relative else BARS[0] * len(points)).rjust(width)
    line = "".join(BARS[min(len(BARS) - 1, int((v - low) / (top - low) * (len(BARS) - 1) + 0.5))] for v in points)
    return line.rjust(width)


def health_cell(row) -> str:
    if row.health.ok is None:
        return "-"
    if row.health.ok:
        return f"ok {row.health.latency_ms:.0f}ms" if row.health.latency_ms is not None else "ok"
    return "failing"


def row_cells(row, trend: Trend, wide: bool) -> tuple[str, ...]:
    """The cells of one process's row; `wide` (a terminal past 120 columns) adds pid and longer sparklines."""
    state = "RUNNING" if row.state == "STARTING" and row.healthy else row.state
    cpu = "-" if row.cpu_percent is None else f"{row.cpu_percent:.0f}%"
    spark = 12 if wide else 6
    cells = (
        row.name,
        state,
        health_cell(row),
        str(row.restarts),
        duration(row.uptime_s),
        f"{cpu:>4} {sparkline(trend.cpu, spark, floor=5.0)}",
        f"{size(row.memory_bytes):>7} {sparkline(trend.memory, spark, relative=True)}",
        str(row.port or "-"),
    )
    return cells + (str(row.pid or "-"),) if wide else cells


def columns(wide: bool) -> tuple[str, ...]:
    base = ("name", "state", "health", "restarts", "uptime", "cpu", "memory", "port")
    return base + ("pid",) if wide else base


def matches(name: str, text: str) -> bool:
    """The `/` filter: a case-insensitive part of the name."""
    return text.lower() in name.lower()
