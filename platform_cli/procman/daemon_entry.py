"""supervisord as `platform up` runs it: the stock daemon with four changes.

1. A dead child is noticed at once. Stock supervisord sleeps in poll() for up to a second and
   only then reaps and restarts, so a crash costs ~1 s before the restart even begins. Here the
   SIGCHLD handler also writes to a wakeup pipe that poll() watches, and a reap is followed
   straight away by the state transitions that restart the process.
2. Quick crashes back off exponentially (1, 2, 4, ... s, capped at PLATFORM_BACKOFF_CAP)
   instead of linearly, before the process ends FATAL after `startretries`.
3. Every spawned pid is written to data/supervisor/pids.json (see pids.py), so that the
   children of a supervisord that was SIGKILLed can still be found and stopped.
4. EXITED/BACKOFF/STOPPED events carry `exit:<code>` or `exit:<SIGNAME>`, so the event listener
   can record why a process ended without a second round-trip that may already be stale.

Run as `python -m platform_cli.procman.daemon_entry -c supervisord.conf`.
"""

from __future__ import annotations

import os
import signal
import time

from pathlib import Path

from supervisor import events, process, supervisord
from supervisor.states import ProcessStates

from platform_cli.procman.pids import PidRecord

BACKOFF_CAP = float(os.environ.get("PLATFORM_BACKOFF_CAP", "16"))


class WakeupDispatcher:
    """The read end of the signal wakeup pipe, in supervisord's own poll loop."""

    def __init__(self, fd: int, supervisor):
        self.fd = fd
        self.supervisor = supervisor

    def readable(self):
        return True

    def writable(self):
        return False

    def handle_read_event(self):
        try:
            while os.read(self.fd, 512):
                pass
        except BlockingIOError:
            pass
        self.supervisor.reap()

    def handle_error(self):
        self.supervisor.options.logger.critical("platform wakeup dispatcher failed")


def _runforever(original):
    def runforever(self):
        read_fd, write_fd = os.pipe()
        os.set_blocking(read_fd, False)
        os.set_blocking(write_fd, False)
        signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)
        self.options.get_socket_map()[read_fd] = WakeupDispatcher(read_fd, self)
        return original(self)

    return runforever


def _reap(original):
    def reap(self, once=False, recursionguard=0):
        original(self, once, recursionguard)
        if recursionguard == 0:
            # EXITED -> STARTING now, not on the next one-second tick.
            for group in self.process_groups.values():
                group.transition()

    return reap


def _change_state(original):
    def change_state(self, new_state, expected=True):
        if new_state == ProcessStates.STARTING:
            self.platform_exit = "-"
        changed = original(self, new_state, expected)
        if changed and new_state == ProcessStates.BACKOFF:
            self.delay = time.time() + min(BACKOFF_CAP, 2.0 ** (self.backoff - 1))
        return changed

    return change_state


def _spawn(original, record: PidRecord):
    def spawn(self):
        pid = original(self)
        if pid:
            record.add(self.config.name, pid)
        return pid

    return spawn


def _finish(original):
    def finish(self, pid, sts):
        self.platform_exit = describe_exit(sts)
        return original(self, pid, sts)

    return finish


def _extra_values(original):
    def get_extra_values(self):
        return list(original(self)) + [("exit", getattr(self.process, "platform_exit", "-"))]

    return get_extra_values


def describe_exit(status: int) -> str:
    """A wait status as an exit code (`1`) or a signal name (`SIGKILL`)."""
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            return signal.Signals(number).name
        except ValueError:
            return f"SIG{number}"
    return str(os.waitstatus_to_exitcode(status))


def install() -> None:
    supervisord.Supervisor.runforever = _runforever(supervisord.Supervisor.runforever)
    supervisord.Supervisor.reap = _reap(supervisord.Supervisor.reap)
    process.Subprocess.change_state = _change_state(process.Subprocess.change_state)
    process.Subprocess.finish = _finish(process.Subprocess.finish)
    record = PidRecord(Path(os.environ["PLATFORM_DATA_DIR"]) / "supervisor")
    process.Subprocess.spawn = _spawn(process.Subprocess.spawn, record)
    for event in (events.ProcessStateExitedEvent, events.ProcessStateBackoffEvent, events.ProcessStateStoppedEvent):
        event.get_extra_values = _extra_values(event.get_extra_values)


if __name__ == "__main__":
    install()
    supervisord.main()
