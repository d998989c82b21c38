"""A process that writes numbered lines for log tests, then stays up (stdlib only).

Environment knobs:
  COUNT        how many lines (default 10)
  INTERVAL     seconds between lines (default 0: as fast as it can)
  START_DELAY  seconds before the first line
  STREAM       stdout (default) or stderr
  TAG          text before each number (default: the process name); lines are "TAG PID N"
  EXTRA        "nonutf8" adds a line with invalid UTF-8; "partial" ends with a line with no newline
  EXIT_AFTER   exit with status 1 this many seconds after the last line instead of staying up
  TIMES_FILE   write "<first write> <last write>" (unix times) here once the lines are out

SIGUSR1 writes the same lines again, the same way, and their times to TIMES_FILE.again: a second
burst that a benchmark can time with no follower attached.
"""

import os
import signal
import sys
import time

count = int(os.environ.get("COUNT", "10"))
interval = float(os.environ.get("INTERVAL", "0"))
out = sys.stderr.buffer if os.environ.get("STREAM") == "stderr" else sys.stdout.buffer
tag = os.environ.get("TAG", os.environ.get("PLATFORM_PROCESS", "w"))
pid = os.getpid()
# Held pending until sigwait below takes it: a SIGUSR1 sent while a burst is written is not lost.
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})


def burst(times_file: str | None) -> None:
    started = time.time()
    if interval:
        for i in range(count):
            out.write(b"%s %d %d\n" % (tag.encode(), pid, i))
            out.flush()
            time.sleep(interval)
    else:  # a burst: big writes, as a fast producer makes them
        lines = [b"%s %d %d\n" % (tag.encode(), pid, i) for i in range(count)]
        for start in range(0, count, 1000):
            out.write(b"".join(lines[start : start + 1000]))
            out.flush()
    finished = time.time()
    if times_file:
        with open(times_file + ".tmp", "w") as f:
            f.write(f"{started} {finished}")
        os.replace(times_file + ".tmp", times_file)


time.sleep(float(os.environ.get("START_DELAY", "0")))
burst(os.environ.get("TIMES_FILE"))
if os.environ.get("EXTRA") == "nonutf8":
    out.write(b"bad bytes \xff\xfe here\n")
    out.flush()
if os.environ.get("EXTRA") == "partial":
    out.write(b"no newline yet")
    out.flush()
if "EXIT_AFTER" in os.environ:
    time.sleep(float(os.environ["EXIT_AFTER"]))
    sys.exit(1)
while True:
    signal.sigwait({signal.SIGUSR1})
    burst(os.environ["TIMES_FILE"] + ".again" if "TIMES_FILE" in os.environ else None)
