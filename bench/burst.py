"""A burst of numbered lines and what a log follower showed of it.

The writer (tests/e2e/apps/writer.py) prints COUNT lines `TAG PID N` as fast as it can, START_DELAY
seconds after it starts, and writes the times of its first and last write to TIMES_FILE. A Reader
reads a follower's output (or a manager's own stdout) and notes which numbers it showed, and when.
Shared by bench/logs.py and bench/compare.
"""

from __future__ import annotations

import re
import subprocess
import threading
import time
from pathlib import Path
from typing import IO

from tests.helpers import wait_until

ROOT = Path(__file__).resolve().parent.parent
WRITER = ROOT / "tests" / "e2e" / "apps" / "writer.py"
TAG = "burst"
NUMBERED = re.compile(rb"burst \d+ (\d+)$")


def writer_env(lines: int, delay: float, times: Path) -> dict[str, str]:
    """The writer's settings for one burst of `lines` lines, `delay` seconds after it starts."""
    return {"COUNT": str(lines), "START_DELAY": str(delay), "TIMES_FILE": str(times), "TAG": TAG}


def burst_times(times: Path, timeout: float = 60) -> tuple[float, float]:
    """(first write, last write) of the burst, as unix times, once the writer has recorded them."""
    wait_until(times.exists, timeout, what="the burst to be written")
    started, finished = map(float, times.read_text().split())
    return started, finished


class Reader:
    """Reads a follower's stdout: which numbers it showed, in order, and when."""

    def __init__(self, stream: IO[bytes], total: int, proc: subprocess.Popen | None = None):
        self.total = total
        self.proc = proc  # the follower, stopped by stop(); None when the stream is not ours to stop
        self.numbers: list[int] = []
        self.first_at = self.last_at = self.seen_at = None
        self.stream = stream
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    @classmethod
    def follow(cls, cmd: list[str], env: dict, cwd: Path, total: int) -> Reader:
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        return cls(proc.stdout, total, proc)

    def _read(self) -> None:
        for raw in self.stream:
            match = NUMBERED.search(raw.rstrip(b"\n"))
            if match:
                now = time.time()
                self.first_at = self.first_at or now
                self.seen_at = now
                self.numbers.append(int(match.group(1)))
                if self.numbers[-1] == self.total - 1:
                    self.last_at = now

    def wait_shown(self, finished: float, timeout: float = 60, quiet: float = 3.0) -> None:
        """Until the last line is shown, or nothing new has come for `quiet` s after the burst
        ended (a lost last line must not cost the whole timeout), or `timeout` s."""
        def done():
            now = time.time()
            return self.last_at or now - max(self.seen_at or 0, finished) > quiet
        try:
            wait_until(done, timeout, interval=0.05, what="the follower")
        except AssertionError:
            pass  # reported as the lines it never showed

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)


class Outcome:
    def __init__(self, reader: Reader, started: float, finished: float):
        self.lost = reader.total - len(set(reader.numbers))
        self.in_order = reader.numbers == sorted(reader.numbers)
        self.whole = reader.last_at - started if reader.last_at else None
        self.last = reader.last_at - finished if reader.last_at else None
