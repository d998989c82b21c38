"""The format of process log files, and where they are.

supervisord (see daemon_entry) writes every line a process prints to data/logs/<name>.log
(stdout) or data/logs/<name>.err.log (stderr), prefixed with the UTC time it read the line:

    2026-11-23T14:50:01.123456Z listening on 5000

The stamp is fixed-width, so stamps sort as bytes in time order: merging several processes' logs
needs no parsing. A line that arrived in pieces is stamped once, at its start. Rotated files are
<file>.1 (newest) ... <file>.N, as supervisor's rotating handler names them.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import NamedTuple

STAMP_LEN = 27  # len("2026-11-23T14:50:01.123456Z")
STREAMS = ("stdout", "stderr")
SUFFIX = {"stdout": ".log", "stderr": ".err.log"}


class LogLine(NamedTuple):
    stamp: bytes  # b"2026-11-23T14:50:01.123456Z", or b"" when the line carries none
    name: str
    stream: str
    text: bytes


def make_stamp(now: float) -> bytes:
    micros = int(now * 1_000_000) % 1_000_000
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)).encode() + b".%06dZ" % micros


def stamp_lines(data: bytes, at_line_start: bool, now: float) -> tuple[bytes, bool]:
    """Prefix every line that starts in `data` with the stamp for `now`.

    Returns the stamped bytes and whether the next chunk starts a new line. A trailing newline
    is not followed by a stamp: the next line's time is when it arrives.
    """
    stamp = make_stamp(now) + b" "
    ends_line = data.endswith(b"\n")
    body = data[:-1] if ends_line else data
    out = body.replace(b"\n", b"\n" + stamp)
    if at_line_start:
        out = stamp + out
    return (out + b"\n" if ends_line else out), ends_line


def is_stamped(raw: bytes) -> bool:
    """Whether a raw log line starts with a stamp (the rest of a cut line does not)."""
    return raw[STAMP_LEN - 1 : STAMP_LEN + 1] == b"Z " and raw[10:11] == b"T" and raw[4:5] == b"-"


def stamp_at(data: bytes, start: int) -> bytes:
    """The stamp of the line that starts at `data[start]`, or b"" when it carries none."""
    head = data[start : start + STAMP_LEN + 1]
    return head[:STAMP_LEN] if is_stamped(head) and b"\n" not in head else b""


def log_path(logs_dir: Path, name: str, stream: str) -> Path:
    return logs_dir / f"{name}{SUFFIX[stream]}"


def rotated(path: Path, backups: int = 99) -> list[Path]:
    """The rotated copies of `path` that exist, newest first."""
    found = []
    for i in range(1, backups + 1):
        candidate = path.with_name(f"{path.name}.{i}")
        if not candidate.exists():
            break
        found.append(candidate)
    return found


def name_of(path: Path) -> tuple[str, str] | None:
    """(process name, stream) for a current log file's name; None for anything else."""
    filename = path.name
    if filename.endswith(".err.log"):
        return filename[: -len(".err.log")], "stderr"
    if filename.endswith(".log"):
        return filename[: -len(".log")], "stdout"
    return None
