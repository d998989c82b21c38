"""The last lines of a process's log files."""

from __future__ import annotations

import os
from pathlib import Path


def log_paths(data_dir: Path, name: str) -> tuple[Path, Path]:
    """(stdout log, stderr log): data/logs/<name>.log and data/logs/<name>.err.log."""
    logs = data_dir / "logs"
    return logs / f"{name}.log", logs / f"{name}.err.log"


def tail(path: Path, lines: int, chunk: int = 8192) -> list[str]:
    """The last `lines` lines of `path`, read from the end; [] when it does not exist."""
    try:
        with open(path, "rb") as f:
            end = f.seek(0, os.SEEK_END)
            data = b""
            while end > 0 and data.count(b"\n") <= lines:
                step = min(chunk, end)
                end -= step
                f.seek(end)
                data = f.read(step) + data
    except FileNotFoundError:
        return []
    return [line.decode("utf-8", "replace") for line in data.splitlines()[-lines:]]


def recent_output(data_dir: Path, name: str, lines: int = 20) -> list[str]:
    """The last lines a process wrote: stdout, then stderr (where a crash explains itself), `lines` in all."""
    out, err = log_paths(data_dir, name)
    err_lines = [f"[stderr] {line}" for line in tail(err, lines)]
    out_lines = tail(out, lines - len(err_lines)) if len(err_lines) < lines else []
    return out_lines + err_lines
