"""The burst into the log file: from the writer's first write until the manager's log file on
disk holds the last line, beside the no-manager floor (the same writer, its stdout a file).

Measured after the followed burst, with no follower attached: the writer (tests/e2e/apps/writer.py)
writes the same lines again on SIGUSR1. A thread reads what the file gains as it comes, every
millisecond (a rotated file is followed to its successor), and notes when the last line is in.
The floor is taken the same way in the same round, so each manager's ratio to it compares
figures measured a moment apart. Lines lost or split are counted in what the file gained.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench.burst import TAG, WRITER, burst_times, writer_env
from bench.compare.workload import WRITER_NAME, Manager, Workload

POLL_S = 0.001
# A whole line of the burst, after the stamp or prefix a manager may put before it.
LINE = re.compile(rb"(?:^|[ |])" + TAG.encode() + rb" \d+ (\d+)$")


class FileWatch:
    """Reads what `path` gains from now on; `done_at` is when it held the line numbered `last`."""

    def __init__(self, path: Path, last: int):
        self.path = path
        self.marker = b" %d\n" % last
        self.file = open(path, "rb")
        self.file.seek(0, os.SEEK_END)
        self.chunks: list[bytes] = []
        self.done_at: float | None = None
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        tail = b""
        while not self._stop.is_set():
            chunk = self.file.read()
            if not chunk:
                if self._rotated():
                    continue
                time.sleep(POLL_S)
                continue
            self.chunks.append(chunk)
            if self.marker in tail + chunk:
                self.done_at = time.time()
                return
            tail = chunk[-len(self.marker):]

    def _rotated(self) -> bool:
        """The manager renamed the file and opened a new one: read that one from its start (the
        old one has been read to its end just before)."""
        try:
            if os.stat(self.path).st_ino == os.fstat(self.file.fileno()).st_ino:
                return False
        except FileNotFoundError:
            return False
        rest = self.file.read()
        if rest:
            self.chunks.append(rest)
            return True  # the rest may hold the last line: look again before switching
        self.file.close()
        self.file = open(self.path, "rb")
        return True

    def wait(self, timeout: float) -> float | None:
        """When the last line was in the file (unix time), or None if not within `timeout` s."""
        self.thread.join(timeout)
        self._stop.set()
        self.thread.join()
        self.file.close()
        return self.done_at

    @property
    def data(self) -> bytes:
        return b"".join(self.chunks)


def count_lost_split(data: bytes, total: int) -> tuple[int, int]:
    """(numbers 0 … total-1 not on a whole line of their own, lines of the burst that are not whole)."""
    seen: set[int] = set()
    split = 0
    for line in data.split(b"\n"):
        if not line:
            continue
        match = LINE.search(line)
        if match:
            seen.add(int(match.group(1)))
        else:
            split += 1
    return total - len(seen & set(range(total))), split


def file_burst(manager: Manager, workload: Workload, timeout: float = 60) -> tuple[float | None, int, int] | None:
    """Ask the manager's writer for its second burst; (first write → last line in the file, or
    None if it never got there; lines lost; lines split). None where the manager keeps no file."""
    path = manager.log_file(WRITER_NAME)
    pid = manager.pid_of(WRITER_NAME)
    if path is None or pid is None:
        return None
    times = workload.times.with_name(workload.times.name + ".again")
    times.unlink(missing_ok=True)
    watch = FileWatch(path, workload.lines - 1)
    os.kill(pid, signal.SIGUSR1)
    started, _ = burst_times(times, timeout)
    done = watch.wait(timeout)
    lost, split = count_lost_split(watch.data, workload.lines)
    return (done - started if done else None), lost, split


def floor_burst(workload: Workload, timeout: float = 60) -> float:
    """The same burst written by the writer straight to a file, no manager: first write → last line in."""
    out = workload.dir / "floor.log"
    times = workload.dir / "floor-times"
    out.write_bytes(b"")
    watch = FileWatch(out, workload.lines - 1)
    env = {**os.environ, **writer_env(workload.lines, 0, times), "PYTHONUNBUFFERED": "1", "EXIT_AFTER": "0"}
    with open(out, "ab") as stdout:
        subprocess.run([sys.executable, str(WRITER)], env=env, stdout=stdout, timeout=timeout)
    started, _ = burst_times(times, timeout)
    done = watch.wait(timeout)
    if done is None:
        raise SystemExit(f"the floor's writer never wrote its last line to {out}")
    return done - started
