"""supervisord's interpreter, started while `up` is still reading the project.

A cold `up` is two Python starts in a row before any process runs: the CLI's (reading the
Procfile, rendering the programs) and then supervisord's, whose imports alone take ~50 ms. On
a machine with a second core the two can overlap: `up` starts daemon_entry with `--prestarted`
as soon as it knows that no supervisord runs for the data dir, and daemon_entry imports
everything, then waits on its stdin. Daemon.start() writes it what the usual start would have
given on its command line and environment — the `-c` config, the environment, the folder — and
closes the pipe; from there it is the usual start (it daemonizes, its first process exits with
supervisord's own code, errors on the same stderr file). If `up` goes no further (an error, a
daemon found running after all, Ctrl-C), the pipe closes with nothing written and it exits.
"""

from __future__ import annotations

import json
import os
import sys
from typing import IO, TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    import subprocess

FLAG = "--prestarted"
# How supervisord's interpreter is run, prestarted or not (Daemon.start). -OO: no docstrings kept
# in the daemon's memory (~0.35 MB of it, supervisor's and ours); nothing it runs reads them
# (supervisord's -h and system.methodHelp only).
INTERPRETER = ("-OO", "-m", "platform_cli.procman.daemon_entry")
# In a waiting interpreter's environment (and so in /proc/<pid>/environ for good, whatever it
# sets later), beside PLATFORM_DATA_DIR, by which a leftover supervisord is found (daemon.py).
MARK = "PLATFORM_PRESTARTED"


class Prestarted(NamedTuple):
    proc: subprocess.Popen
    errors: IO[bytes]  # its stderr: config errors are printed there before it daemonizes


_waiting: Prestarted | None = None


def begin(data_dir) -> None:
    """Start the interpreter (once) for `data_dir`; it imports supervisord and waits to be told to go."""
    import subprocess
    import tempfile

    global _waiting
    if _waiting is not None:
        return
    errors = tempfile.TemporaryFile()
    proc = subprocess.Popen(
        # cwd "/": it holds no folder until it is told which.
        [sys.executable, *INTERPRETER, FLAG],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errors, cwd="/", umask=0o077,
        env={**os.environ, "PLATFORM_DATA_DIR": str(data_dir), "PLATFORM_PYTHON": sys.executable, MARK: "1"},
    )
    _waiting = Prestarted(proc, errors)


def begin_unless_running(data_dir) -> None:
    """begin(), unless the data dir's supervisord seems to run (its pid file is there): then the
    interpreter would most likely be started for nothing. A guess either way costs only time."""
    if not (data_dir / "supervisor" / "supervisord.pid").exists():
        begin(data_dir)


def take() -> Prestarted | None:
    """The waiting interpreter, for Daemon.start to give its orders to; None when there is none."""
    global _waiting
    found, _waiting = _waiting, None
    return found


def abandon() -> None:
    """No supervisord to start after all: the waiting interpreter reads end-of-file and exits."""
    found = take()
    if found is not None:
        found.proc.stdin.close()
        found.errors.close()


def go(found: Prestarted, argv: list[str], env: dict[str, str], cwd: str) -> int:
    """Give the orders and wait for its first process to exit, as subprocess.run would; its code."""
    try:
        found.proc.stdin.write(json.dumps({"argv": argv, "env": env, "cwd": cwd}).encode())
        found.proc.stdin.close()
    except BrokenPipeError:
        pass  # it died before reading (its stderr says why): the exit code tells
    return found.proc.wait()


def waiting(pid: int) -> bool:
    """Whether a daemon_entry process is an interpreter still waiting for its orders: marked, and
    not yet a daemon (supervisord leads a session of its own once it has forked away)."""
    from platform_cli.procman import proctable

    return proctable.environ(pid).get(MARK) == "1" and not proctable.session_leader(pid)


def receive() -> bool:
    """In daemon_entry: wait for the orders and apply them (argv, environment, folder); False at
    end-of-file with none, when `up` went no further."""
    data = sys.stdin.buffer.read()
    if not data:
        return False
    orders = json.loads(data)
    sys.argv[1:] = orders["argv"]
    os.environ.clear()
    os.environ.update(orders["env"])  # what the programs inherit, as from the usual start's env
    os.chdir(orders["cwd"])
    devnull = os.open(os.devnull, os.O_RDONLY)  # stdin as the usual start leaves it
    os.dup2(devnull, 0)
    os.close(devnull)
    return True
