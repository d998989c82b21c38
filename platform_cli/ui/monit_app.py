"""`platform monit`: the full-screen live view, a textual app.

textual rather than rich's Live: monit needs keys (↑/↓, r, s, l, /, q), a focused table whose
cursor survives each refresh, a filter input and a log pane that resizes with the terminal.
rich's Live only redraws; keys, focus and layout would be hand-written on top of it, which is
what textual is. The app is handed three callables (take rows, act on a process, read a log),
so it holds no supervisord or file code of its own and a test can hand it anything.
"""

from __future__ import annotations

import time
from typing import Callable

from rich.text import Text
from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Input, Log, Static

from platform_cli.ui.format import STATE_STYLES
from platform_cli.ui.monit_model import History, columns, matches, row_cells

EVERY_S = 1.0
LOG_LINES = 200
WIDE_AT = 120  # columns from which rows get a pid and longer sparklines


class MonitApp(App):
    CSS = """
    #top { height: 1; color: $text-muted; }
    #table { height: auto; max-height: 50%; }
    #filter { display: none; height: 3; }
    #filter.shown { display: block; }
    #log { height: 1fr; border-top: solid $primary-darken-2; }
    .logs-only #table { display: none; }
    """
    ENABLE_COMMAND_PALETTE = False  # every action has its own key; ^p would only add a menu of them
    BINDINGS = [
        Binding("r", "restart", "restart"),
        Binding("s", "toggle", "stop/start"),
        Binding("l", "logs", "logs"),
        Binding("slash", "filter", "filter", key_display="/"),
        Binding("q", "quit", "quit"),
    ]

    def __init__(self, take: Callable, act: Callable[[str, str], str], read_log: Callable[[str, int], list[str]], every: float = EVERY_S):
        super().__init__()
        self.take, self.act, self.read_log, self.every = take, act, read_log, every
        self.history = History()
        self.rows: list = []
        self.filter_text = ""
        self.shown_names: list[str] = []
        self.wide: bool | None = None
        self.log_key: tuple | None = None
        self.message = ""

    def compose(self) -> ComposeResult:
        yield Static(id="top")
        table = DataTable(id="table", cursor_type="row", zebra_stripes=False)
        yield table
        yield Input(placeholder="filter by name (Enter to keep, Esc to clear)", id="filter")
        yield Log(id="log", max_lines=5000)
        yield Footer()

    def on_mount(self) -> None:
        self.title = "platform monit"
        self.query_one(DataTable).focus()
        self.refresh_data()
        self.set_interval(self.every, self.refresh_data)

    # -- data --------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="refresh")
    def refresh_data(self) -> None:
        try:
            rows, error = self.take(), ""
        except Exception as exc:  # the daemon went away: say so on the top line, keep the last rows
            rows, error = None, f"{type(exc).__name__}: {exc}"
        name = self.selected
        lines = self.read_log(name, LOG_LINES) if name else []
        self.call_from_thread(self.show, rows, lines, error)

    def show(self, rows, lines: list[str], error: str) -> None:
        if rows is not None:
            self.rows = rows
            self.history.add(rows)
        self._fill_table()
        self._fill_log(lines)
        healthy = sum(r.healthy for r in self.rows)
        top = f"{time.strftime('%H:%M:%S')}  {healthy}/{len(self.rows)} healthy"
        if self.filter_text:
            top += f"  filter: {self.filter_text}"
        note = error or self.message
        self.query_one("#top", Static).update(Text(top + (f"  {note}" if note else ""), style="red" if error else ""))

    def _fill_table(self) -> None:
        table = self.query_one(DataTable)
        wide = self.size.width >= WIDE_AT
        shown = [r for r in self.rows if matches(r.name, self.filter_text)]
        names = [r.name for r in shown]
        selected = self.selected
        if wide != self.wide:
            table.clear(columns=True)
            table.add_columns(*columns(wide))
            self.wide, self.shown_names = wide, []
        # Rebuilt each time rather than updated cell by cell: a cell that grows (STOPPED ->
        # STARTING, a longer pid) then widens its column; a few rows a second cost nothing.
        table.clear()
        for row in shown:
            table.add_row(*self._cells(row), key=row.name)
        self.shown_names = names
        if selected in names:
            table.move_cursor(row=names.index(selected), animate=False)

    def _cells(self, row):
        cells = list(row_cells(row, self.history.of(row.name), self.wide))
        cells[1] = Text(cells[1], style=STATE_STYLES.get(cells[1], ""))
        if cells[2] == "failing":
            cells[2] = Text(cells[2], style="red")
        return cells

    def _fill_log(self, lines: list[str]) -> None:
        name = self.selected
        key = (name, len(lines), lines[-1] if lines else None)
        if key == self.log_key:
            return  # nothing new: no redraw, which keeps an idle monit cheap
        self.log_key = key
        log = self.query_one(Log)
        log.clear()
        log.write_line(f"── {name} ──" if name else "── no process selected ──")
        log.write_lines(lines)

    @property
    def selected(self) -> str | None:
        table = self.query_one(DataTable)
        if not self.shown_names or table.cursor_row is None or table.cursor_row >= len(self.shown_names):
            return None
        return self.shown_names[table.cursor_row]

    def on_data_table_row_highlighted(self, _event) -> None:
        # A rebuilt table highlights its row again: only a new selection is worth a refresh
        # (its log now, not at the next tick), or each refresh would start the next.
        if self.log_key is not None and self.selected != self.log_key[0]:
            self.refresh_data()

    # -- keys --------------------------------------------------------------------------------

    def action_restart(self) -> None:
        if self.selected:
            self._act("restart", self.selected)

    def action_toggle(self) -> None:
        row = next((r for r in self.rows if r.name == self.selected), None)
        if row is not None:
            self._act("stop" if row.state in ("RUNNING", "STARTING", "BACKOFF") else "start", row.name)

    @work(thread=True, group="act")
    def _act(self, verb: str, name: str) -> None:
        self.message = f"{verb} {name}…"
        try:
            self.message = self.act(verb, name)
        except Exception as exc:  # a refused action is a message on the top line, not a crash
            self.message = f"{verb} {name} failed: {getattr(exc, 'message', exc)}"
        self.call_from_thread(self.refresh_data)

    def action_logs(self) -> None:
        self.screen.toggle_class("logs-only")

    def action_filter(self) -> None:
        field = self.query_one("#filter", Input)
        field.add_class("shown")
        field.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.filter_text = event.value.strip()
        self._fill_table()

    def on_input_submitted(self, _event) -> None:
        self._close_filter()

    def key_escape(self) -> None:
        field = self.query_one("#filter", Input)
        if field.has_class("shown"):
            field.value = ""
            self._close_filter()

    def _close_filter(self) -> None:
        self.query_one("#filter", Input).remove_class("shown")
        self.query_one(DataTable).focus()
