"""The status table, and status as JSON."""

from __future__ import annotations

import json

from rich.console import Console
from rich.table import Table
from rich.text import Text

from platform_cli.ui.format import STATE_STYLES, duration, size


def render_status(rows, console: Console) -> None:
    table = Table(box=None, pad_edge=False, header_style="bold")
    gateway = any(row.via_gateway for row in rows)
    columns = ("name", "state", "pid", "uptime", "restarts", "cpu", "mem", "port", "health", *(("gateway",) if gateway else ()), "last exit")
    for column in columns:
        table.add_column(column, justify="right" if column in ("pid", "restarts", "cpu", "mem", "port") else "left")
    for row in rows:
        table.add_row(
            row.name,
            Text(row.state, style=STATE_STYLES.get(row.state, "")),
            str(row.pid or "-"),
            duration(row.uptime_s),
            str(row.restarts),
            "-" if row.cpu_percent is None else f"{row.cpu_percent:.1f}%",
            size(row.memory_bytes),
            str(row.port or "-"),
            _health(row.health, row.health_age_s),
            *((Text(row.via_gateway or "-", style="green" if row.via_gateway == "ok" else "red"),) if gateway else ()),
            _exit(row.last_exit, row.last_restart) if row.state not in ("RUNNING", "STARTING") or row.restarts else "",
        )
    console.print(table)
    for row in rows:
        if row.log_tail:
            console.print(Text(f"\nlast lines of {row.name}:", style="bold"))
            for line in row.log_tail:
                console.print(Text(f"  {line}"))


def status_json(rows) -> str:
    return json.dumps([row.to_json() for row in rows], indent=2)


def _health(result, age_s: float | None = None) -> Text:
    if result.ok is None:
        return Text("-", style="dim")
    if result.ok:
        # No latency: the latest probe failed, but fewer times in a row than failure_threshold.
        text = Text("ok" if result.latency_ms is None else f"ok {result.latency_ms:.0f}ms", style="green")
    else:
        text = Text(f"failing: {result.detail}", style="red")
    if age_s is not None and age_s >= 1:  # the daemon's latest probe, this old
        text.append(f" {age_s:.0f}s ago", style="dim")
    return text


def _exit(last, restart=None) -> str:
    if restart and (not last or _seconds_between(restart, last) < 30):  # that exit was the watchdog's restart
        return f"{restart.get('reason', '')} {str(restart.get('time', ''))[11:19]}"
    if not last:
        return ""
    code = last.get("exit", "?")
    what = code if str(code).startswith("SIG") else f"exit {code}"
    return f"{what} {str(last.get('time', ''))[11:19]}"


def _seconds_between(first: dict, then: dict) -> float:
    from datetime import datetime

    try:
        return (datetime.fromisoformat(then["time"]) - datetime.fromisoformat(first["time"])).total_seconds()
    except (KeyError, TypeError, ValueError):
        return float("inf")
