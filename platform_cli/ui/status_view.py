"""The status table drawn with rich, for `up`, `status --watch` and `status --probe`.

The cells, which columns fit and the JSON are ui/status_table.py's, shared with the plain
renderer of `platform status` (which must print the very bytes this one does): here they only
become rich Texts in a rich Table.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from platform_cli.ui.status_table import RIGHT, Cell, cell, column_width, dropped_notice, fit_columns, header, status_cells


def render_status(rows, console: Console) -> None:
    cells = status_cells(rows)
    layout = fit_columns(cells, console.width, cell_len)
    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in layout.columns:
        # no_wrap: a cell too wide for what is left is cut with an ellipsis rather than split over
        # lines; fit_columns has made room, so only a terminal narrower than name+state+health cuts.
        table.add_column(header(column, layout), justify="right" if column in RIGHT else "left", no_wrap=True, overflow="ellipsis",
                         min_width=column_width(column, cells, layout, cell_len) if column in ("state", "pid") else None)
    for i in range(len(rows)):
        table.add_row(*(_text(cell(cells, column, i, layout)) for column in layout.columns))
    console.print(table)
    if layout.dropped:
        console.print(Text(dropped_notice(layout, console.width), style="dim"), no_wrap=True, overflow="ellipsis")
    for row in rows:
        if row.log_tail:
            console.print(Text(f"\nlast lines of {row.name}:", style="bold"))
            for line in row.log_tail:
                console.print(Text(f"  {line}"))


def _text(found: Cell) -> Text:
    text = Text(style=found.style)
    for run, style in found.runs:
        text.append(run, style=style or None)
    return text
