"""Progress of `platform up` / `start` / `restart`: one line per step, a spinner while waiting."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text


class ProgressReporter:
    """The readiness Reporter, drawn with rich; use as a context manager around the wait."""

    def __init__(self, console: Console):
        self.console = console
        self._status = console.status("starting…") if console.is_terminal else None
        self._waiting_on: list[str] = []

    def __enter__(self):
        if self._status:
            self._status.start()
        return self

    def __exit__(self, *exc):
        if self._status:
            self._status.stop()

    def waiting(self, name: str, on: list[str]) -> None:
        self.console.print(Text(f"  waiting  {name} (for {', '.join(on)} to be ready)", style="dim"))

    def starting(self, name: str, probe: str) -> None:
        self.console.print(f"  starting {name}")
        self._waiting_on.append(name)
        self._spin(f"waiting for {name} ({probe})")

    def ready(self, name: str, seconds: float, already: bool) -> None:
        if already:
            self.console.print(Text.assemble(("✓ ", "green"), f"{name} already running"))
        else:
            self.console.print(Text.assemble(("✓ ", "green"), f"{name} ready in {seconds:.2f}s"))
        if name in self._waiting_on:
            self._waiting_on.remove(name)
        self._spin(f"waiting for {', '.join(self._waiting_on)}" if self._waiting_on else "starting…")

    def note(self, message: str) -> None:
        self.console.print(Text(message, style="yellow"))

    def _spin(self, text: str) -> None:
        if self._status:
            self._status.update(text)
