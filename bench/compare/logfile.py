"""The burst into the log file: from the writer's first write until the manager's log file on
disk holds the last line, beside the no-manager floor (the same writer, its stdout a file).

Measured after the followed burst, with no follower attached: the writer (tests/e2e/apps/writer.py)
writes the same lines again on SIGUSR1. A thread looks at the file's end every millisecond (a
rotated file is followed to its successor) and notes when the last line is in.
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
    """Watches what `path` gains from now on; `done_at` is when it held the line numbered `last`.

    The line is the burst's last and nothing follows it, so each look is a stat and a read of the
    file's last bytes: reading the whole burst as it comes would cost the machine CPU in proportion
    to what the manager writes (platform's stamped lines are 2.5 times the bytes) while the writer
    and the manager need it. What the file gained is read once the burst is in (`data`)."""

    def __init__(self, path: Path, last: int):
        self.path = path
        self.marker = b" %d\n" % last
        first = open(path, "rb")
        self.segments = [(first, os.fstat(first.fileno()).st_size)]  # (file, offset it starts at)
        self.done_at: float | None = None
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            file, start = self.segments[-1]
            if self._holds_last(file, start):
                self.done_at = time.time()
                return
            if not self._rotated(file):
                time.sleep(POLL_S)

    def _holds_last(self, file, start: int) -> bool:
        n = len(self.marker)
        size = os.fstat(file.fileno()).st_size
        return size >= start + n and os.pread(file.fileno(), n, size - n) == self.marker

    def _rotated(self, file) -> bool:
        """The manager renamed the file and opened a new one: watch that one from its start (the
        old one is looked at once more first: the write that made it rotate may hold the line)."""
        try:
            if os.stat(self.path).st_ino == os.fstat(file.fileno()).st_ino:
                return False
            successor = open(self.path, "rb")
        except FileNotFoundError:
            return False
        if not self._holds_last(file, self.segments[-1][1]):
            self.segments.append((successor, 0))
        else:
            successor.close()
        return True

    def wait(self, timeout: float) -> float | None:
        """When the last line was in the file (unix time), or None if not within `timeout` s."""
        self.thread.join(timeout)
        self._stop.set()
        self.thread.join()
        return self.done_at

    @property
    def data(self) -> bytes:
        """Everything the file (and its successors) gained since the watch began."""
        parts = []
        for file, start in self.segments:
            file.seek(start)
            parts.append(file.read())
            file.close()
        return b"".join(parts)


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
