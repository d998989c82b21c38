"""Where the daemon side's threads (recorder.py, watchdog.py, schedule.py) say what went wrong.

They run inside supervisord, whose stderr is /dev/null once it has daemonized, and whose own log
is not theirs to write from another thread (supervisor's loggers take no lock). So each complaint
is one O_APPEND write of one line to data/logs/platform-events.err.log, which keeps the name the
event listener's stderr log had; elsewhere (a unit test, a thread started by hand) to stderr.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

MAX_BYTES = 1 << 20  # then rotated to .1, one backup
_path: Path | None = None


def log_to(path: Path | None) -> None:
    global _path
    _path = path


def complain(message: str) -> None:
    stamp = time.strftime("%Y-%m-%d %H:%M:%S")
    line = f"{stamp} platform-events: {message}\n"
    if _path is None:
        print(line, end="", file=sys.stderr, flush=True)
        return
    try:
        if _path.stat().st_size > MAX_BYTES:
            os.replace(_path, _path.with_name(_path.name + ".1"))
    except FileNotFoundError:
        pass
    except OSError:
        return
    try:
        fd = os.open(_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line.encode("utf-8", "replace"))
        finally:
            os.close(fd)
    except OSError:  # a full or read-only disk: nowhere left to say it
        pass
