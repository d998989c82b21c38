"""The status table, and status as JSON.

The table fits the terminal it is printed on: a cell is never cut (`RUNN…`) or split over two
lines. When the columns do not all fit, the table gives up what matters least first — CPU,
memory, the pid, then shorter forms (health without the age of the daemon's probe) and further
columns (see `NARROWING`) — and says below it which columns it left out. `--json` always has
everything.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from rich.console import Console
from rich.table import Table
from rich.text import Text

from platform_cli.ui.format import STATE_STYLES, duration, size

GAP = 2  # rich's padding between two columns of a box-less table
RIGHT = ("pid", "restarts", "cpu", "mem", "port")
# How the table narrows, step by step, until it fits: ("drop", column) leaves a column out;
# ("short", column) switches it to its short form. The name, state and health always stay.
NARROWING = (
    ("drop", "cpu"),
    ("drop", "mem"),
    ("short", "restarts"),  # the header becomes PM2's ↺
    ("drop", "pid"),
    ("short", "last exit"),  # the signal or code (or what the watchdog saw fail) without its time
    ("drop", "port"),
    ("short", "health"),  # without the age of the daemon's probe
    ("drop", "uptime"),
    ("drop", "gateway"),
    ("drop", "next run"),
    ("drop", "last exit"),
    ("drop", "restarts"),
)
SHORT_HEADERS = {"restarts": "↺"}


@dataclass
class Layout:
    """Which columns a table shows, and which of them in their short form."""

    columns: list[str]
    short: frozenset[str] = frozenset()
    dropped: tuple[str, ...] = ()


def render_status(rows, console: Console) -> None:
    cells = _cells(rows)
    layout = fit_columns(cells, console.width)
    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in layout.columns:
        header = SHORT_HEADERS.get(column, column) if column in layout.short else column
        # no_wrap: a cell too wide for what is left is cut with an ellipsis rather than split over
        # lines; fit_columns has made room, so only a terminal narrower than name+state+health cuts.
        table.add_column(header, justify="right" if column in RIGHT else "left", no_wrap=True,
                         overflow="ellipsis", min_width=_width(column, cells, layout) if column in ("state", "pid") else None)
    for i in range(len(rows)):
        table.add_row(*(_cell(cells, column, i, layout) for column in layout.columns))
    console.print(table)
    if layout.dropped:
        console.print(Text(f"(not shown at {console.width} columns: {', '.join(layout.dropped)}; --json has them)", style="dim"),
                      no_wrap=True, overflow="ellipsis")
    for row in rows:
        if row.log_tail:
            console.print(Text(f"\nlast lines of {row.name}:", style="bold"))
            for line in row.log_tail:
                console.print(Text(f"  {line}"))


def fit_columns(cells: dict[str, list[tuple[Text, Text]]], width: int) -> Layout:
    """The widest layout of `cells` (column -> per row, its long and short cell) within `width`."""
    layout = Layout(list(cells))
    for step, column in NARROWING:
        if _table_width(cells, layout) <= width:
            break
        if column not in layout.columns:
            continue
        if step == "drop":
            layout.columns.remove(column)
            layout.dropped += (column,)
        else:
            layout.short |= {column}
    return layout


def status_json(rows) -> str:
    return json.dumps([row.to_json() for row in rows], indent=2)


def _cells(rows) -> dict[str, list[tuple[Text, Text]]]:
    """Every column's cells, each in its long and its short form (the same for most)."""
    gateway = any(row.via_gateway for row in rows)
    crashed = any(_shows_exit(row) for row in rows)
    cells: dict[str, list[tuple[Text, Text]]] = {}

    def column(name: str, values) -> None:
        cells[name] = [value if isinstance(value, tuple) else (value, value) for value in values]

    column("name", (Text(r.name) for r in rows))
    column("state", (Text(_state(r), style=STATE_STYLES.get(_state(r), "")) for r in rows))
    column("pid", (Text(str(r.pid or "-")) for r in rows))
    column("uptime", (Text(duration(r.uptime_s)) for r in rows))
    column("restarts", (Text(str(r.restarts)) for r in rows))
    column("cpu", (Text("-" if r.cpu_percent is None else f"{r.cpu_percent:.1f}%") for r in rows))
    column("mem", (Text(size(r.memory_bytes)) for r in rows))
    column("port", (Text(str(r.port or "-")) for r in rows))
    # Long: with the age of the daemon's probe it shows; short: the result alone.
    column("health", ((_health(r.health, r.health_age_s), _health(r.health)) for r in rows))
    if gateway:
        column("gateway", (Text(r.via_gateway or "-", style="green" if r.via_gateway == "ok" else "red") for r in rows))
    if any(getattr(r, "next_run", None) for r in rows):  # scheduled tasks (procman/schedule.py)
        column("next run", (Text(_clock(r.next_run)) for r in rows))
    if crashed:
        column("last exit", ((Text(_exit(r, True)), Text(_exit(r, False))) if _shows_exit(r) else Text("")
                             for r in rows))
    return cells


def _state(row) -> str:
    # supervisord says STARTING for its first second (startsecs, which tells a quick crash from a
    # start); a process whose probe already passes is serving, which is what RUNNING means here.
    # `--json` keeps supervisord's own word.
    if row.state == "STARTING" and row.health.ok:
        return "RUNNING"
    if getattr(row, "completed", False):  # a task that exited with a success code: done, not down
        return "COMPLETED"
    return row.state


def _clock(at: float | None) -> str:
    """A next run as the local time of day (with the date when it is not today)."""
    if not at:
        return "-"
    import time

    local = time.localtime(at)
    same_day = time.strftime("%Y-%m-%d", local) == time.strftime("%Y-%m-%d")
    return time.strftime("%H:%M:%S" if same_day else "%Y-%m-%d %H:%M", local)


def _shows_exit(row) -> bool:
    return bool(row.last_exit or row.last_restart) and (row.state not in ("RUNNING", "STARTING") or row.restarts > 0)


def _cell(cells, column: str, i: int, layout: Layout) -> Text:
    long, short = cells[column][i]
    return short if column in layout.short else long


def _width(column: str, cells, layout: Layout) -> int:
    header = SHORT_HEADERS.get(column, column) if column in layout.short else column
    return max([Text(header).cell_len] + [_cell(cells, column, i, layout).cell_len for i in range(len(cells[column]))])


def _table_width(cells, layout: Layout) -> int:
    return sum(_width(c, cells, layout) for c in layout.columns) + GAP * (len(layout.columns) - 1)


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


def _exit(row, with_time: bool) -> str:
    """The last exit, or the watchdog's reason when that exit was its restart (the signal it sent
    says less than why it sent it)."""
    last, restart = row.last_exit, row.last_restart
    if restart and (not last or _seconds_between(restart, last) < 30):
        reason = restart.get("reason", "")
        if with_time:
            return f"{reason} {str(restart.get('time', ''))[11:19]}"
        # Short: what failed, without "→ restarted", which the restart count already says.
        return reason.removesuffix(" \u2192 restarted")
    code = last.get("exit", "?")
    what = code if str(code).startswith("SIG") else f"exit {code}"
    return f"{what} {str(last.get('time', ''))[11:19]}" if with_time else what


def _seconds_between(first: dict, then: dict) -> float:
    from datetime import datetime

    try:
        return (datetime.fromisoformat(then["time"]) - datetime.fromisoformat(first["time"])).total_seconds()
    except (KeyError, TypeError, ValueError):
        return float("inf")
