"""`platform status --watch`: the status table redrawn in place, the light live view.

Each frame is the ordinary status table rendered into a buffer as wide as the terminal, then
shown with rich's Live, so the watch and `platform status` never disagree on what a row says.
"""

from __future__ import annotations

import io
import time

from rich.console import Console
from rich.live import Live
from rich.text import Text

from platform_cli.ui.status_view import render_status

EVERY_S = 1.0


def watch_status(take, console: Console, every: float = EVERY_S) -> None:
    """Redraw `take()`'s rows every `every` seconds until Ctrl-C (KeyboardInterrupt, exit 130).
    Not on a terminal (piped, in CI), each frame is printed after the last, a blank line between."""
    if not console.is_terminal:
        while True:
            console.print(_frame(take(), console, every))
            console.print()
            time.sleep(every)
    with Live(console=console, auto_refresh=False, transient=False) as live:
        while True:
            live.update(_frame(take(), console, every), refresh=True)
            time.sleep(every)


def _frame(rows, console: Console, every: float) -> Text:
    frame = Console(file=io.StringIO(), width=console.width, force_terminal=console.is_terminal,
                    color_system=console.color_system, no_color=console.no_color)
    healthy = sum(row.healthy for row in rows)
    frame.print(Text(f"{time.strftime('%H:%M:%S')}  {healthy}/{len(rows)} healthy  (every {every:g}s, Ctrl-C to stop)", style="dim"))
    render_status(rows, frame)
    return Text.from_ansi(frame.file.getvalue().rstrip("\n"))
