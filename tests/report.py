"""Figures a test measures for the reader (what failed in a storm and why, cases tried), shown in
pytest's terminal summary: the suite reports them on every run, not only when a test fails."""

from __future__ import annotations

LINES: list[str] = []


def report(title: str, lines: list[str]) -> None:
    LINES.append(title)
    LINES.extend(f"  {line}" for line in lines)
