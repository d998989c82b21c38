"""supervisord as `platform up` runs it: the stock daemon with eleven changes, the recorder among them.

1. A dead child is noticed at once. Stock supervisord sleeps in poll() for up to a second and
   only then reaps and restarts, so a crash costs ~1 s before the restart even begins. Here the
   SIGCHLD handler also writes to a wakeup pipe that poll() watches, and a reap is followed
   straight away by the state transitions that restart the process.
2. Quick crashes back off exponentially (1, 2, 4, ... s, capped at PLATFORM_BACKOFF_CAP)
   instead of linearly, before the process ends FATAL after `startretries`.
3. Every spawned pid is written to data/supervisor/pids.json (see pids.py), so that the
   children of a supervisord that was SIGKILLed can still be found and stopped.
4. Process state events carry `at:<unix time>` (when it happened, not when the recorder got
   round to it), EXITED/BACKOFF/STOPPED ones `exit:<code>` or `exit:<SIGNAME>`, so the
   recorder writes down why a process ended without a second round-trip that may be stale, and
   STARTING ones the new pid (stock supervisord makes the event before the fork), so that a
   start is told with its pid when it happens, not a second later at RUNNING; a quick crash
   (BACKOFF) keeps its exit code in getProcessInfo, as a later one does.
5. Every line a program prints is stamped with the time supervisord read it (see logfiles.py),
   so `platform logs` can merge processes in time order.
6. The event recording, the watchdog and the scheduler run in threads of this process, fed by
   supervisor's in-process event callbacks (recorder.py: why that is safe, and how the last
   stops are still recorded at shutdown), not in an event listener process of their own.
7. A full or read-only data dir never stops it supervising. Stock supervisord dies of an ENOSPC
   from a write in its spawn path, and refuses to spawn a program whose log file it cannot open
   (EROFS). Here a pid record that cannot be written is logged and kept in memory until a write
   succeeds, and a log file that cannot be opened is skipped: the program runs, unlogged.
8. Shutting down passes every group that is already stopped in one turn of the main loop, not
   one group per turn (up to a second each: a 5,000-line Procfile took an hour). `platform down`
   stops the programs itself first, all at once (see stopping.py).
9. An XML-RPC reply goes out in pieces of up to 256 KiB per turn of the main loop, not 4 KiB:
   each turn costs time in proportion to the number of programs, and getAllProcessInfo of a
   5,000-line Procfile (2.5 MB) took 600 turns, 14 s.
10. It is a child subreaper (PR_SET_CHILD_SUBREAPER): a program's descendant that double-forks,
    calls setsid and clears its environment is re-parented to supervisord, not to init, so
    `platform down` still finds it among supervisord's children (see Daemon.adopted).
11. The programs named in PLATFORM_BOOT_START (comma-separated; `up` names those it would start
    first: services that depend on nothing) are spawned as soon as it runs, before its first
    wait for events (the recorder already listening). Stock supervisord autostarts only after
    that first wait (up to a second), and `up` asking over RPC cost a round-trip per program.
    Their sections keep autostart=false, so supervisord never starts them by itself later (after
    `platform stop`, or when the section is loaded again) and a later `up` sees no change.

Run as `python -m platform_cli.procman.daemon_entry -c supervisord.conf`, or with `--prestarted`
alone, to be given those arguments on stdin once imported (prestart.py).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

from pathlib import Path

from supervisor import dispatchers, events, http, process, supervisord
from supervisor.states import ProcessStates

from platform_cli.procman import prestart
from platform_cli.procman.logfiles import stamp_lines
from platform_cli.procman.pids import PidRecord
from platform_cli.procman.recorder import recording

BACKOFF_CAP = 16.0  # PLATFORM_BACKOFF_CAP, read by install()
BOOT_START = "PLATFORM_BOOT_START"
REPLY_PIECE_BYTES = 1 << 18
PR_SET_CHILD_SUBREAPER = 36  # <linux/prctl.h>


class WakeupDispatcher:
    """The read end of the signal wakeup pipe, in supervisord's own poll loop.

    It only ends the wait: the reap is the loop's own, after every ready dispatcher has had its
    turn (the next lines of runforever), then _reap's transitions restart at once. Reaping here,
    amid the turns, closed a dead process's pipes while the loop still held its dispatchers for
    this turn: one of them then read a closed fd, which a thread of this process (the recorder
    importing a module) could already have reopened; a program's log got a .pyc's bytes."""

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

    def handle_error(self):
        self.supervisor.options.logger.critical("platform wakeup dispatcher failed")


def become_subreaper() -> bool:
    """Make orphaned descendants this process's children (Linux 3.4+); False where unsupported."""
    import ctypes

    try:
        return ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _runforever(original, boot: frozenset[str]):
    pending = [boot] if boot else []

    def runforever(self):
        # Here, not in install(): the attribute is not inherited by the fork that daemonizes.
        if not become_subreaper():
            self.options.logger.warn("platform: cannot become a child subreaper; escaped processes will reparent to init")
        read_fd, write_fd = os.pipe()
        os.set_blocking(read_fd, False)
        os.set_blocking(write_fd, False)
        signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)
        self.options.get_socket_map()[read_fd] = WakeupDispatcher(read_fd, self)
        if pending:  # at the first run only, not again at a reload (run() calls runforever anew)
            start_at_boot(self, pending.pop())
        return original(self)

    return runforever


def start_at_boot(supervisor, names: frozenset[str]) -> None:
    """The main loop's first transitions now (autostart=true spawns), then
    the named programs, in priority order, as startProcess would spawn them."""
    groups = sorted(supervisor.process_groups.values())
    for group in groups:
        group.transition()
    for group in groups:
        for proc in sorted(group.processes.values()):
            if proc.config.name in names and proc.get_state() == ProcessStates.STOPPED:
                proc.spawn()
    supervisor.reap()  # one that failed at once shows as such, as after startProcess


def _reap(original):
    def reap(self, once=False, recursionguard=0):
        original(self, once, recursionguard)
        if recursionguard == 0:
            # EXITED -> STARTING now, not on the next one-second tick.
            for group in self.process_groups.values():
                group.transition()

    return reap


class SpawnedPid:
    """The pid in a STARTING event. The event is made before the fork; the recorder's thread
    reads it once `settled` is set, when spawn() has returned: by then the pid is known (or
    there is none: the spawn failed)."""

    def __init__(self):
        self.pid: int | None = None
        self.settled = threading.Event()

    def __str__(self) -> str:
        return str(self.pid) if self.pid else "-"


def _change_state(original):
    def change_state(self, new_state, expected=True):
        if new_state == ProcessStates.STARTING:
            self.platform_exit = "-"
            self.platform_spawned = SpawnedPid()
        entering_backoff = new_state == ProcessStates.BACKOFF and self.state != new_state
        result = original(self, new_state, expected)
        if entering_backoff:  # the original has counted this try in self.backoff
            self.delay = time.time() + backoff_delay(self.backoff, BACKOFF_CAP)
        return result

    return change_state


def _spawn(original, record: PidRecord):
    def spawn(self):
        pid = original(self)
        if pid:
            try:
                record.add(self.config.name, pid)
            except OSError as exc:  # full or read-only disk: keep supervising, record later
                self.config.options.logger.warn(f"platform: cannot record pid {pid} of {self.config.name}: {exc}")
            spawned = getattr(self, "platform_spawned", None)
            if spawned is not None and spawned.pid is None:
                spawned.pid = pid
        spawned = getattr(self, "platform_spawned", None)
        if spawned is not None:
            spawned.settled.set()
        return pid

    return spawn


def _init_normallog(original):
    def _init_normallog(self):
        try:
            original(self)
        except OSError as exc:  # e.g. EROFS on open(..., "a"): run the program without this log
            self.normallog = None
            self.process.config.options.logger.warn(
                f"platform: {self.process.config.name} runs without its {self.channel} log: {exc}")

    return _init_normallog


def _clock_check(original):
    # supervisor's guard against the clock going backwards treats any BACKOFF delay longer than
    # its own linear one as a rollback and shortens it; keep the guard, with our delay.
    def check(self, test_time):
        if self.state != ProcessStates.BACKOFF:
            return original(self, test_time)
        planned = backoff_delay(self.backoff, BACKOFF_CAP)
        if self.delay > 0 and test_time < self.delay - planned:
            self.delay = test_time + planned

    return check


def _finish(original):
    def finish(self, pid, sts):
        self.platform_exit = describe_exit(sts)
        result = original(self, pid, sts)
        if self.state == ProcessStates.BACKOFF and os.WIFEXITED(sts):
            # Stock supervisord forgets the exit code of a quick crash; keep it for getProcessInfo
            # (127 is how `platform up` tells a command that does not exist, at the first try).
            self.exitstatus = os.waitstatus_to_exitcode(sts)
        return result

    return finish


def _extra_values(original, with_exit: bool, with_spawned_pid: bool = False):
    def get_extra_values(self):
        extra = [*original(self), ("at", f"{time.time():.6f}")]
        if with_exit:
            extra.append(("exit", getattr(self.process, "platform_exit", "-")))
        if with_spawned_pid:
            extra.append(("pid", getattr(self.process, "platform_spawned", "-")))
        return extra

    return get_extra_values


def _stop_groups_phase_2(original):
    def ordered_stop_groups_phase_2(self):
        original(self)
        while self.stop_groups and not self.stop_groups[-1].get_unstopped_processes():
            self.stop_groups.pop()

    return ordered_stop_groups_phase_2


def backoff_delay(tries: int, cap: float) -> float:
    """Seconds to wait before the next start after `tries` quick crashes in a row: 1, 2, 4, ... cap."""
    return min(cap, 2.0 ** (tries - 1))


def _stamped_log(original):
    def _log(self, data):
        if data:
            data, self.platform_line_start = stamp_lines(data, getattr(self, "platform_line_start", True), time.time())
        return original(self, data)

    return _log


def _close(original):
    def close(self):
        # A process that died mid-line: end the line, so the next process's first line stands alone.
        if not self.closed and not getattr(self, "platform_line_start", True) and self.childlog:
            self.childlog.info(b"\n")
            self.platform_line_start = True
        return original(self)

    return close


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
    global BACKOFF_CAP
    BACKOFF_CAP = float(os.environ.get("PLATFORM_BACKOFF_CAP", "16"))
    # Read once and taken out of the environment: the programs inherit supervisord's.
    boot = frozenset(filter(None, os.environ.pop(BOOT_START, "").split(",")))
    # The recorder outside: it subscribes before the boot spawns, whose STARTING events it must see.
    supervisord.Supervisor.runforever = recording(_runforever(supervisord.Supervisor.runforever, boot))
    supervisord.Supervisor.reap = _reap(supervisord.Supervisor.reap)
    http.deferring_http_channel.ac_out_buffer_size = REPLY_PIECE_BYTES
    phase_2 = supervisord.Supervisor.ordered_stop_groups_phase_2
    supervisord.Supervisor.ordered_stop_groups_phase_2 = _stop_groups_phase_2(phase_2)
    process.Subprocess.change_state = _change_state(process.Subprocess.change_state)
    process.Subprocess.finish = _finish(process.Subprocess.finish)
    check = process.Subprocess._check_and_adjust_for_system_clock_rollback
    process.Subprocess._check_and_adjust_for_system_clock_rollback = _clock_check(check)
    dispatchers.POutputDispatcher._log = _stamped_log(dispatchers.POutputDispatcher._log)
    dispatchers.POutputDispatcher.close = _close(dispatchers.POutputDispatcher.close)
    dispatchers.POutputDispatcher._init_normallog = _init_normallog(dispatchers.POutputDispatcher._init_normallog)
    record = PidRecord(Path(os.environ["PLATFORM_DATA_DIR"]) / "supervisor")
    process.Subprocess.spawn = _spawn(process.Subprocess.spawn, record)
    with_exit = (events.ProcessStateExitedEvent, events.ProcessStateBackoffEvent, events.ProcessStateStoppedEvent)
    for event in set(events.ProcessStateEvent.__subclasses__()) | set(events.ProcessStateStartingOrBackoffEvent.__subclasses__()):
        if event is not events.ProcessStateStartingOrBackoffEvent:
            starting = event is events.ProcessStateStartingEvent
            event.get_extra_values = _extra_values(event.get_extra_values, event in with_exit, starting)


if __name__ == "__main__":
    if sys.argv[1:] == [prestart.FLAG] and not prestart.receive():
        os._exit(0)  # `up` went no further
    install()
    supervisord.main()
    # main() has removed the pid file and socket and closed its logs: skip tearing down the
    # interpreter (tens of ms of freeing modules), which `platform down` would wait for.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
