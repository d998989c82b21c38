"""A process with a `stop_command`: run it before the stop signal.

supervisord stops a program with one signal; it cannot run a command first. A process with
`stop_command` in platform.toml is therefore launched through this small parent:

    python -m platform_cli.procman.stopwrap SIGNAL TIMEOUT STOP_COMMAND -- COMMAND

It runs COMMAND (through /bin/sh, in the same process group, so supervisord's killasgroup still
reaches it), and when supervisord's SIGTERM arrives it runs STOP_COMMAND, gives the program up
to TIMEOUT seconds to exit, then sends it SIGNAL (the process's stop_signal); supervisord's
SIGKILL follows after stopwaitsecs (2 x TIMEOUT) if it is still there. Its exit status is the
program's. A shell script cannot do this job: a POSIX shell starts background commands with
SIGINT ignored, which would make `stop_signal = "INT"` a no-op.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time


def main(argv: list[str]) -> int:
    try:
        split = argv.index("--")
        sig_name, timeout, stop_command = argv[:split]
        command = " ".join(argv[split + 1:])
        stop_signal, grace = signal.Signals[f"SIG{sig_name}"], float(timeout)
    except (ValueError, KeyError):
        print("usage: stopwrap SIGNAL TIMEOUT STOP_COMMAND -- COMMAND", file=sys.stderr)
        return 2
    child = subprocess.Popen(["/bin/sh", "-c", command])
    stopping = []

    def stop(signum, frame):
        if stopping:
            return
        stopping.append(signum)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        print(f"stop_command: {stop_command}", file=sys.stderr, flush=True)
        try:
            subprocess.run(["/bin/sh", "-c", stop_command], timeout=grace)
        except subprocess.TimeoutExpired:
            print(f"stop_command still running after {grace:g}s", file=sys.stderr, flush=True)
        deadline = time.monotonic() + grace
        while child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        if child.poll() is None:
            # To the whole group, as supervisord's stopasgroup would: the program and what it
            # started. This parent shrugs it off (see below) and waits for the program.
            if stop_signal != signal.SIGKILL:
                signal.signal(stop_signal, lambda signum, frame: None)
            try:
                os.killpg(os.getpgid(0), stop_signal)
            except ProcessLookupError:
                pass

    signal.signal(signal.SIGTERM, stop)
    # A Ctrl-C or the watchdog's stop_signal to the whole group is the program's to handle; a
    # Python handler (not SIG_IGN, which the program would inherit) keeps this parent alive.
    for other in (signal.SIGINT, signal.SIGHUP):
        signal.signal(other, lambda signum, frame: None)
    while True:
        try:
            return _status(child.wait())
        except InterruptedError:  # pragma: no cover - PEP 475 retries wait() itself
            continue


def _status(code: int) -> int:
    """A child ended by a signal exits the wrapper as a shell would report it: 128 + signal."""
    return 128 - code if code < 0 else code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
