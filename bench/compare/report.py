"""The side-by-side table (pure: samples in, text out): medians per manager, platform's ratio to
the best of the others and to PM2, as an aligned text table and as markdown."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from bench.compare.runner import HANG_CAP_S, Samples

OURS = "platform"


@dataclass(frozen=True)
class Row:
    measure: str
    values: dict[str, float | None]  # manager -> figure (lower is better); None: no figure
    cells: dict[str, str]

    def ratio(self, to: list[str]) -> str:
        ours = self.values.get(OURS)
        others = [v for name, v in self.values.items() if name in to and v is not None]
        if ours is None or not others:
            return "—"
        best = min(others)
        if best == 0:
            return "= (all 0)" if ours == 0 else "worse (best 0)"
        return f"{ours / best:.2f}"


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def make_rows(results: dict[str, Samples], lines: int) -> list[Row]:
    def row(measure: str, pick, fmt, absent: str = "n/a") -> Row:
        values = {name: pick(s) for name, s in results.items()}
        cells = {name: fmt(v) if v is not None else absent for name, v in values.items()}
        return Row(measure, values, cells)

    seconds = lambda v: f"{v:.3f} s"  # noqa: E731
    bursts = max(len(s.lost) for s in results.values())
    rows = [
        row("cold start → all 4 healthy", lambda s: _median(s.cold), seconds),
        row("SIGKILL → healthy again", lambda s: _median(s.crash), seconds),
        row("status command", lambda s: _median(s.status), seconds),
        row("hung (SIGSTOP) → healthy again", lambda s: _median([h for h in s.hung if h is not None]), seconds,
            absent=f"never (in {HANG_CAP_S:g} s)"),
        row("daemon memory (PSS)", lambda s: _median(s.memory), lambda v: f"{v:.1f} MB"),
        row("daemon memory (RSS)", lambda s: _median(s.rss), lambda v: f"{v:.1f} MB"),
        row(f"lines lost, {bursts} × {lines:,}-line burst", lambda s: sum(s.lost) if s.lost else None, lambda v: f"{v:,.0f}"),
        row("whole burst shown", lambda s: _median([w for w in s.whole if w is not None]), seconds, absent="never"),
        row("stop all", lambda s: _median(s.stop), seconds),
    ]
    crash = rows[1]
    for name, s in results.items():  # a manager that does not restart: what it does instead
        if s.stops_all:
            crash.cells[name] = f"no restart (stops all in {_median(s.stops_all):.2f} s)"
    shown = next(r for r in rows if r.measure == "whole burst shown")
    for name, s in results.items():
        never = sum(w is None for w in s.whole)
        if never and shown.values[name] is not None:
            shown.cells[name] += f" ({never} of {len(s.whole)} never whole)"
    return rows


def _columns(rows: list[Row], names: list[str]) -> tuple[list[str], list[list[str]]]:
    others = [n for n in names if n != OURS]
    pm2 = [n for n in names if n.startswith("PM2")]
    header = ["measure (median; lower is better)", *names, f"{OURS} / best other", f"{OURS} / PM2"]
    body = []
    for r in rows:
        best = r.ratio(others)
        body.append([r.measure, *(r.cells[n] for n in names), best, r.ratio(pm2) if pm2 else "—"])
    return header, body


def render_text(rows: list[Row], names: list[str]) -> str:
    header, body = _columns(rows, names)
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
    fmt = lambda line: "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(line, widths)))  # noqa: E731
    return "\n".join([fmt(header), fmt(["-" * w for w in widths]), *map(fmt, body)])


def render_markdown(rows: list[Row], names: list[str]) -> str:
    header, body = _columns(rows, names)
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(line) + " |" for line in body]
    return "\n".join(lines)


def spread(results: dict[str, Samples]) -> list[str]:
    """min–max of each timed measure, per manager: how noisy the medians are."""
    out = []
    for name, s in results.items():
        parts = [f"{label} {min(v):.3f}–{max(v):.3f} (n={len(v)})"
                 for label, v in (("cold", s.cold), ("SIGKILL", s.crash), ("status", s.status),
                                  ("hung", [h for h in s.hung if h is not None]), ("PSS MB", s.memory), ("RSS MB", s.rss),
                                  ("stop", s.stop), ("burst", [w for w in s.whole if w is not None])) if v]
        out.append(f"{name}: " + ", ".join(parts))
    return out
