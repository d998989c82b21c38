"""The status table's cells and layout, status as JSON, and the table as plain text: no rich here.

`platform status` is typed many times a day, and rich costs ~35 ms to import. So the cells (text
and style), which columns fit the terminal (`fit_columns`), and the JSON live here, shared by
two renderers that must never disagree:
- ui/status_view.py draws them with rich (`up`, `status --watch`, `status --probe`);
- `render_plain` writes the very bytes rich would for the plain `platform status` (launcher.py),
  with ANSI colours on a terminal. Where it cannot be sure of that — a character whose width
  only rich's tables know, a table still too wide after every narrowing step (rich would cut
  cells), a log line rich might wrap — it returns None and the caller draws with rich.

The table fits the terminal it is printed on: a cell is never cut (`RUNN…`) or split over two
lines. When the columns do not all fit, the table gives up what matters least first — CPU,
memory, the pid, then shorter forms (health without the age of the daemon's probe) and further
columns (see `NARROWING`) — and says below it which columns it left out. `--json` always has
everything.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Callable

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
# The non-ASCII characters this table writes itself (the short header, the watchdog's reasons,
# the ellipsis), each one cell wide in rich's tables too (tests/unit/test_status_table.py): with
# these and printable ASCII only, a string's width is its length and rich has nothing to strip.
ONE_CELL = frozenset("↺×→…")
# SGR codes in the order rich writes them: attributes (bold 1, dim 2) first, then the colour.
SGR = {"bold": 1, "dim": 2, "red": 31, "green": 32, "yellow": 33}


@dataclass(frozen=True)
class Cell:
    """One cell: runs of text, each with a style added to the cell's own, which also covers the
    padding (as rich pads a Text with its style)."""

    runs: tuple[tuple[str, str], ...]
    style: str = ""

    @classmethod
    def of(cls, text: str, style: str = "") -> Cell:
        return cls(((text, ""),), style)

    @property
    def plain(self) -> str:
        return "".join(text for text, _ in self.runs)


@dataclass
class Layout:
    """Which columns a table shows, and which of them in their short form."""

    columns: list[str]
    short: frozenset[str] = frozenset()
    dropped: tuple[str, ...] = ()


Cells = dict[str, list[tuple[Cell, Cell]]]  # column -> per row, its long and short cell


def status_json(rows) -> str:
    return json.dumps([row.to_json() for row in rows], indent=2)


def status_cells(rows) -> Cells:
    """Every column's cells, each in its long and its short form (the same for most)."""
    gateway = any(row.via_gateway for row in rows)
    crashed = any(_shows_exit(row) for row in rows)
    cells: Cells = {}

    def column(name: str, values) -> None:
        cells[name] = [value if isinstance(value, tuple) else (value, value) for value in values]

    column("name", (Cell.of(r.name) for r in rows))
    column("state", (Cell.of(_state(r), STATE_STYLES.get(_state(r), "")) for r in rows))
    column("pid", (Cell.of(str(r.pid or "-")) for r in rows))
    column("uptime", (Cell.of(duration(r.uptime_s)) for r in rows))
    column("restarts", (Cell.of(str(r.restarts)) for r in rows))
    column("cpu", (Cell.of("-" if r.cpu_percent is None else f"{r.cpu_percent:.1f}%") for r in rows))
    column("mem", (Cell.of(size(r.memory_bytes)) for r in rows))
    column("port", (Cell.of(str(r.port or "-")) for r in rows))
    # Long: with the age of the daemon's probe it shows; short: the result alone.
    column("health", ((_health(r.health, r.health_age_s), _health(r.health)) for r in rows))
    if gateway:
        column("gateway", (Cell.of(r.via_gateway or "-", "green" if r.via_gateway == "ok" else "red") for r in rows))
    if any(getattr(r, "next_run", None) for r in rows):  # scheduled tasks (procman/schedule.py)
        column("next run", (Cell.of(_clock(r.next_run)) for r in rows))
    if crashed:
        column("last exit", ((Cell.of(_exit(r, True)), Cell.of(_exit(r, False))) if _shows_exit(r) else Cell.of("")
                             for r in rows))
    return cells


def header(column: str, layout: Layout) -> str:
    return SHORT_HEADERS.get(column, column) if column in layout.short else column


def fit_columns(cells: Cells, width: int, measure: Callable[[str], int]) -> Layout:
    """The widest layout of `cells` within `width`; `measure` is a string's width in cells."""
    layout = Layout(list(cells))
    for step, column in NARROWING:
        if table_width(cells, layout, measure) <= width:
            break
        if column not in layout.columns:
            continue
        if step == "drop":
            layout.columns.remove(column)
            layout.dropped += (column,)
        else:
            layout.short |= {column}
    return layout


def column_width(column: str, cells: Cells, layout: Layout, measure: Callable[[str], int]) -> int:
    return max([measure(header(column, layout))] + [measure(cell(cells, column, i, layout).plain) for i in range(len(cells[column]))])


def table_width(cells: Cells, layout: Layout, measure: Callable[[str], int]) -> int:
    return sum(column_width(c, cells, layout, measure) for c in layout.columns) + GAP * (len(layout.columns) - 1)


def cell(cells: Cells, column: str, i: int, layout: Layout) -> Cell:
    long, short = cells[column][i]
    return short if column in layout.short else long


def dropped_notice(layout: Layout, width: int) -> str:
    return f"(not shown at {width} columns: {', '.join(layout.dropped)}; --json has them)"


def render_plain(rows, width: int, color: bool) -> str | None:
    """The table (and the log tails under it) as rich prints it at `width` columns, SGR colours
    when `color`; None where only rich can be sure of the result (see the module docstring)."""
    cells = status_cells(rows)
    texts = [c.plain for column in cells.values() for pair in column for c in pair]
    texts += [*cells, *SHORT_HEADERS.values()]
    if not all(_simple(text) for text in texts):
        return None
    layout = fit_columns(cells, width, len)
    if table_width(cells, layout, len) > width:
        return None  # rich would cut cells with an ellipsis: let it
    widths = {column: column_width(column, cells, layout, len) for column in layout.columns}
    paint = _paint if color else (lambda text, style: text)
    head = [paint(_pad(header(c, layout), widths[c], c), "bold") for c in layout.columns]
    # rich styles the header's padding too, each side of a gap on its own.
    lines = [(paint(" ", "bold") * 2).join(head)]
    for i in range(len(rows)):
        lines.append("  ".join(_cell_text(cell(cells, c, i, layout), widths[c], c, paint) for c in layout.columns))
    if layout.dropped:
        notice = dropped_notice(layout, width)
        lines.append(paint(notice if len(notice) <= width else notice[: width - 1] + "…", "dim"))
    for row in rows:
        if row.log_tail:
            title = f"last lines of {row.name}:"
            tail = [f"  {line}" for line in row.log_tail]
            # Longer than the terminal, rich wraps a line; with a trailing space, it may trim it.
            if not all(_simple(text) and len(text) <= width and text == text.rstrip() for text in [title, *tail]):
                return None
            lines += ["", paint(title, "bold"), *tail]
    return "\n".join(lines) + "\n"


def _simple(text: str) -> bool:
    """Printable ASCII or ONE_CELL only: its width is its length, and rich prints it unchanged."""
    return all(" " <= ch <= "~" or ch in ONE_CELL for ch in text)


def _pad(text: str, width: int, column: str) -> str:
    return text.rjust(width) if column in RIGHT else text.ljust(width)


def _cell_text(found: Cell, width: int, column: str, paint) -> str:
    """A cell padded to its column's width, each run in the cell's style plus its own; like
    rich, neighbouring runs of one style are one stretch of colour."""
    padding = (" " * (width - len(found.plain)), "")
    runs = [padding, *found.runs] if column in RIGHT else [*found.runs, padding]
    merged: list[list[str]] = []
    for text, style in runs:
        if not text:
            continue
        style = " ".join(filter(None, (found.style, style)))
        if merged and merged[-1][1] == style:
            merged[-1][0] += text
        else:
            merged.append([text, style])
    return "".join(paint(text, style) for text, style in merged)


def _paint(text: str, style: str) -> str:
    codes = sorted({SGR[word] for word in style.split()})
    return f"\x1b[{';'.join(map(str, codes))}m{text}\x1b[0m" if codes else text


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


def _health(result, age_s: float | None = None) -> Cell:
    if result.ok is None:
        return Cell.of("-", "dim")
    # No latency: the latest probe failed, but fewer times in a row than failure_threshold.
    if result.ok:
        found = Cell.of("ok" if result.latency_ms is None else f"ok {result.latency_ms:.0f}ms", "green")
    else:
        found = Cell.of(f"failing: {result.detail}", "red")
    if age_s is not None and age_s >= 1:  # the daemon's latest probe, this old
        found = Cell((*found.runs, (f" {age_s:.0f}s ago", "dim")), found.style)
    return found


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
