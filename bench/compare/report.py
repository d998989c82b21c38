"""The side-by-side table (pure: samples in, text out): medians per manager, platform's ratio to
the best of the others and to PM2, as an aligned text table and as markdown.

A ratio comes with its spread, [our min / their max – our max / their min], and is called a
tie when each median lies inside the other's min–max: a difference the run cannot tell from
noise is not claimed as a win or a loss."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from bench.compare.floor import floor_ratios
from bench.compare.runner import HANG_CAP_S, Samples

OURS = "platform"


@dataclass(frozen=True)
class Row:
    measure: str
    values: dict[str, float | None]  # manager -> figure (lower is better); None: no figure
    cells: dict[str, str]
    ranges: dict[str, tuple[float, float]] | None = None  # manager -> (min, max) of the samples
    compared: bool = True  # False: each cell is already a ratio (to the floor), not set against the others

    def ratio(self, to: list[str]) -> str:
        if not self.compared:
            return "—"
        ours = self.values.get(OURS)
        others = {name: v for name, v in self.values.items() if name in to and v is not None}
        if ours is None or not others:
            return "—"
        best_name = min(others, key=others.get)
        best = others[best_name]
        if best == 0:
            return "= (all 0)" if ours == 0 else "worse (best 0)"
        text = f"{ours / best:.2f}"
        mine, theirs = (self.ranges or {}).get(OURS), (self.ranges or {}).get(best_name)
        if mine and theirs and theirs[0] > 0 and mine[0] > 0:
            text += f" [{mine[0] / theirs[1]:.2f}–{mine[1] / theirs[0]:.2f}]"
            if is_tie(ours, mine, best, theirs):
                text += " tie"
        return text


def is_tie(a: float, a_range: tuple[float, float], b: float, b_range: tuple[float, float]) -> bool:
    """Each median inside the other's min–max: the run does not tell them apart."""
    return b_range[0] <= a <= b_range[1] and a_range[0] <= b <= a_range[1]


def _recovered(hung: list[float | None]) -> list[float]:
    """The hung-process rounds that came back healthy (None: never, within HANG_CAP_S)."""
    return [h for h in hung if h is not None]


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def make_rows(results: dict[str, Samples], lines: int, floors: list[float] | None = None) -> list[Row]:
    def row(measure: str, pick, fmt, absent: str = "n/a", samples=None) -> Row:
        values = {name: pick(s) for name, s in results.items()}
        cells = {name: fmt(v) if v is not None else absent for name, v in values.items()}
        ranges = None
        if samples is not None:
            ranges = {name: (min(v), max(v)) for name, s in results.items() if (v := samples(s))}
        return Row(measure, values, cells, ranges)

    seconds = lambda v: f"{v:.3f} s"  # noqa: E731
    bursts = max(len(s.lost) for s in results.values())
    rows = [
        row("cold start → all 4 healthy", lambda s: _median(s.cold), seconds, samples=lambda s: s.cold),
        row("SIGKILL → healthy again", lambda s: _median(s.crash), seconds, samples=lambda s: s.crash),
        row("status command", lambda s: _median(s.status), seconds, samples=lambda s: s.status),
        row("hung (SIGSTOP) → healthy again", lambda s: _median(_recovered(s.hung)), seconds,
            absent=f"never (in {HANG_CAP_S:g} s)", samples=lambda s: _recovered(s.hung)),
        row("daemon memory (PSS)", lambda s: _median(s.memory), lambda v: f"{v:.1f} MB", samples=lambda s: s.memory),
        row("daemon memory (RSS)", lambda s: _median(s.rss), lambda v: f"{v:.1f} MB", samples=lambda s: s.rss),
        row(f"lines lost, {bursts} × {lines:,}-line burst", lambda s: sum(s.lost) if s.lost else None, lambda v: f"{v:,.0f}"),
        row("whole burst shown", lambda s: _median([w for w in s.whole if w is not None]), seconds, absent="never",
            samples=lambda s: [w for w in s.whole if w is not None]),
        row("stop all", lambda s: _median(s.stop), seconds, samples=lambda s: s.stop),
        *file_rows(results, row, seconds),
    ]
    rows[1:1] = [*floor_rows(results, floors or []), start_all_row(results)]
    crash = next(r for r in rows if r.measure.startswith("SIGKILL"))
    for name, s in results.items():  # a manager that does not restart: what it does instead
        if s.stops_all:
            crash.cells[name] = f"no restart (stops all in {_median(s.stops_all):.2f} s)"
    shown = next(r for r in rows if r.measure == "whole burst shown")
    hung = next(r for r in rows if r.measure.startswith("hung"))
    for name, s in results.items():
        never = sum(w is None for w in s.whole)
        if never and shown.values[name] is not None:
            shown.cells[name] += f" ({never} of {len(s.whole)} never whole)"
        never = sum(h is None for h in s.hung)
        if never and hung.values[name] is not None:  # a median of the rounds that recovered only
            hung.cells[name] += f" ({never} of {len(s.hung)} never)"
    return rows


def file_rows(results: dict[str, Samples], row, seconds) -> list[Row]:
    """The second burst, into the log file: its time, the no-manager floor measured in the same
    rounds, their ratio round by round (median [min–max]), and what the file lost or split."""
    timed = lambda s: [t for t in s.in_file if t is not None]  # noqa: E731
    ratios = lambda s: [t / f for t, f in zip(s.in_file, s.file_floor, strict=True) if t is not None]  # noqa: E731
    rows = [
        row("burst → in the log file", lambda s: _median(timed(s)), seconds, samples=timed),
        row("no-manager floor: burst → file", lambda s: _median(s.file_floor), seconds, samples=lambda s: s.file_floor),
        row("in the log file ÷ floor (same round)", lambda s: _median(ratios(s)), lambda v: f"{v:.2f}×", samples=ratios),
        row("lines lost / split in the log file", lambda s: sum(s.file_lost) + sum(s.file_split) if s.file_lost else None,
            lambda v: f"{v:,.0f}"),
    ]
    for name, s in results.items():
        never = sum(t is None for t in s.in_file)
        if never and rows[0].values[name] is not None:
            rows[0].cells[name] += f" ({never} of {len(s.in_file)} never)"
        if s.file_lost:
            rows[-1].cells[name] = f"{sum(s.file_lost):,} / {sum(s.file_split):,}"
        ranges = rows[2].ranges or {}
        if name in ranges:
            rows[2].cells[name] += f" [{ranges[name][0]:.2f}–{ranges[name][1]:.2f}]"
    return rows


def floor_rows(results: dict[str, Samples], floors: list[float]) -> list[Row]:
    """Each manager's cold start over the no-manager floor of the same round (bench/compare/floor.py):
    the median of those ratios, with their min–max; no row when no floor was measured."""
    if not floors:
        return []
    ratios = {name: floor_ratios(s.cold, floors) for name, s in results.items()}
    values = {name: _median(r) for name, r in ratios.items()}
    cells = {name: f"{v:.2f}× [{min(ratios[name]):.2f}–{max(ratios[name]):.2f}]" if v is not None else "n/a"
             for name, v in values.items()}
    measure = f"cold start ÷ no-manager floor ({statistics.median(floors):.3f} s)"
    return [Row(measure, values, cells, compared=False)]


def start_all_row(results: dict[str, Samples]) -> Row:
    """Start all with the daemon already up → all 4 healthy (bench/compare/startall.py)."""
    values = {name: _median(s.start_all) for name, s in results.items()}
    cells = {name: f"{v:.3f} s" if v is not None else "n/a (no daemon)" for name, v in values.items()}
    ranges = {name: (min(s.start_all), max(s.start_all)) for name, s in results.items() if s.start_all}
    return Row("start all, daemon up → all 4 healthy", values, cells, ranges)


def _columns(rows: list[Row], names: list[str]) -> tuple[list[str], list[list[str]]]:
    others = [n for n in names if n != OURS]
    pm2 = [n for n in names if n.startswith("PM2")]
    header = ["measure (median; lower is better)", *names, f"{OURS} / best other [spread]", f"{OURS} / PM2 [spread]"]
    body = []
    for r in rows:
        best = r.ratio(others)
        body.append([r.measure, *(r.cells[n] for n in names), best, r.ratio(pm2) if pm2 else "—"])
    return header, body


def render_text(rows: list[Row], names: list[str]) -> str:
    header, body = _columns(rows, names)
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
    fmt = lambda line: "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(line, widths, strict=True)))  # noqa: E731
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
                                  ("hung", _recovered(s.hung)), ("start all", s.start_all), ("stop", s.stop),
                                  ("burst", [w for w in s.whole if w is not None]),
                                  ("in file", [t for t in s.in_file if t is not None]), ("file floor", s.file_floor),
                                  ("PSS MB", s.memory), ("RSS MB", s.rss)) if v]
        out.append(f"{name}: " + ", ".join(parts))
    return out
