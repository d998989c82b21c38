"""Small pure formatters shared by the views."""

from __future__ import annotations

STATE_STYLES = {
    "RUNNING": "green",
    "COMPLETED": "green",
    "STARTING": "yellow",
    "BACKOFF": "yellow",
    "STOPPING": "yellow",
    "RESTARTING": "yellow",  # the watchdog is restarting it (liveness, memory)
    "STOPPED": "dim",
    "EXITED": "red",
    "FATAL": "bold red",
    "ABSENT": "dim",
}


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    s = int(seconds)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    if s < 86400:
        return f"{s // 3600}h{s % 3600 // 60:02d}m"
    return f"{s // 86400}d{s % 86400 // 3600:02d}h"


def size(n: int | None) -> str:
    if n is None:
        return "-"
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f}{unit}" if unit == "B" else f"{n:.1f}{unit}"
        n /= 1024
    return "-"
