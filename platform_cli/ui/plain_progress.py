"""The progress lines of `up` / `start` / `restart` for an output that is not a terminal, without rich.

On a pipe rich prints a line of plain text unchanged: no colour, no spinner, nothing added. So
launcher.py, which runs the plain forms of these commands without importing typer, click or
rich (~40 ms before the first process could start), prints such lines itself. A line rich might
print otherwise (longer than the width, so wrapped; a character whose width is not its length;
trailing blanks) is printed by rich, as ui/progress.py does.
"""

from __future__ import annotations

import sys

from platform_cli.ui.status_table import ONE_CELL

READY_MARK = "✓ "


class PlainProgress:
    """The readiness Reporter (procman/readiness.py) as ProgressReporter prints it on a pipe."""

    def __init__(self, width: int, rich_console):
        self.width = width
        self._rich_console = rich_console  # called for a line only rich can be sure of

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        sys.stdout.flush()

    def waiting(self, name: str, on: list[str]) -> None:
        self._say(f"  waiting  {name} (for {', '.join(on)} to be ready)")

    def starting(self, name: str, probe: str) -> None:
        self._say(f"  starting {name}")

    def ready(self, name: str, seconds: float, already: bool) -> None:
        self._say(READY_MARK + (f"{name} already running" if already else f"{name} ready in {seconds:.2f}s"))

    def note(self, message: str) -> None:
        self._say(message)

    def _say(self, line: str) -> None:
        if plain(line, self.width):
            sys.stdout.write(line + "\n")
            sys.stdout.flush()  # each step as it happens, as rich prints it
        else:
            from rich.text import Text

            sys.stdout.flush()
            self._rich_console().print(Text(line))


def plain(line: str, width: int) -> bool:
    """Whether rich would print `line` unchanged on a pipe `width` columns wide."""
    body = line[len(READY_MARK):] if line.startswith(READY_MARK) else line
    return len(line) <= width and line == line.rstrip() and all(" " <= ch <= "~" or ch in ONE_CELL for ch in body)
