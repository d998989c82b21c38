"""The last lines of processes' logs, merged in time order across processes and rotated files."""

from __future__ import annotations

import heapq
import os
from operator import itemgetter
from pathlib import Path

from platform_cli.procman.logfiles import STAMP_LEN, STREAMS, LogLine, is_stamped, log_path, rotated


def tail(path: Path, lines: int, end: int | None = None, chunk: int = 1 << 16) -> list[bytes]:
    """The last `lines` raw lines of one file (before byte `end`), read backwards; [] if none."""
    if lines <= 0:
        return []
    try:
        with open(path, "rb") as f:
            size = f.seek(0, os.SEEK_END)
            end = size if end is None else min(end, size)
            pieces, newlines = [], 0
            while end > 0 and newlines <= lines:
                step = min(chunk, end)
                end -= step
                f.seek(end)
                piece = f.read(step)
                pieces.append(piece)
                newlines += piece.count(b"\n")
                chunk *= 2  # far back means many lines: read in ever bigger pieces
    except FileNotFoundError:
        return []
    found = b"".join(reversed(pieces)).split(b"\n")
    if found and found[-1] == b"":
        found.pop()  # the file ends with a newline
    if end > 0:
        found = found[1:]  # the first piece may be the end of a longer line
    return found[-lines:]


def source_lines(path: Path, name: str, stream: str, lines: int | None, since: bytes = b"", end: int | None = None) -> list[LogLine]:
    """The last `lines` lines (all when None) of a log and its rotated copies, oldest first.

    `end` bounds the current file, where a follower took over from this read.
    """
    found: list[LogLine] = []
    for file in [path, *rotated(path)]:
        wanted = None if lines is None else lines - len(found)
        if wanted is not None and wanted <= 0:
            break
        limit = end if file == path else None
        raw = tail(file, wanted, limit) if wanted is not None else _all_lines(file, limit)
        parsed = with_stamps(raw, name, stream)
        found = parsed + found
        if since and parsed and parsed[0].stamp and parsed[0].stamp < since:
            break  # older files hold nothing newer
    if since:
        found = [line for line in found if line.stamp >= since]
    return found if lines is None else found[-lines:]


def last_lines(
    logs_dir: Path, names: list[str], streams=STREAMS, lines: int | None = 15, since: bytes = b"", ends: dict | None = None
) -> list[LogLine]:
    """The last `lines` lines of all the named processes together, in time order."""
    ends = ends or {}
    sources = [
        source_lines(path, n, s, lines, since, ends.get(path))
        for n in names
        for s in streams
        if (path := log_path(logs_dir, n, s))
    ]
    merged = merge(sources)
    return merged if lines is None else merged[-lines:]


def merge(sources: list[list[LogLine]]) -> list[LogLine]:
    """Lines of several sources in time order; each source's own order is kept for equal stamps."""
    sources = [s for s in sources if s]
    if len(sources) <= 1:
        return sources[0] if sources else []
    return list(heapq.merge(*sources, key=itemgetter(0)))


def recent_output(data_dir: Path, name: str, lines: int = 20) -> list[str]:
    """The last lines a process wrote, both streams, stderr ones marked: for error messages."""
    return [
        ("[stderr] " if line.stream == "stderr" else "") + line.text.decode("utf-8", "backslashreplace")
        for line in last_lines(data_dir / "logs", [name], lines=lines)
    ]


def _all_lines(path: Path, end: int | None = None) -> list[bytes]:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    if end is not None:
        data = data[:end]
    found = data.split(b"\n")
    if found and found[-1] == b"":
        found.pop()
    return found


def with_stamps(raw: list[bytes], name: str, stream: str, previous: bytes = b"") -> list[LogLine]:
    """Raw log lines as LogLines. A line without a stamp (the rest of a line cut by rotation, or
    shown before its end arrived) takes the stamp of the line before it."""
    result = []
    append, new = result.append, tuple.__new__  # a burst is 200,000 lines: keep this loop lean
    for line in raw:
        if is_stamped(line):
            previous = line[:STAMP_LEN]
            append(new(LogLine, (previous, name, stream, line[STAMP_LEN + 1 :])))
        else:
            append(new(LogLine, (previous, name, stream, line)))
    return result
