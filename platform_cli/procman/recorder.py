"""The daemon side's recorder, inside supervisord: every process state event into the history
(history.py), the watchdog (watchdog.py) and the scheduler (schedule.py).

This was an event listener of its own ([eventlistener:platform-events]): a second Python process,
as big as supervisord itself, which put the manager at 1.5x stock supervisord's memory (issue 19).
Here the same work runs in threads of supervisord's process, fed by supervisor's in-process
`events.subscribe`.

Why that is safe in a single-threaded daemon whose objects have no locks: the only code of ours in
supervisord's main loop is `Recorder.take`, the subscribed callback. It copies the event's plain
values and appends them to a queue; it never blocks, writes a file or raises. Everything else (the
history's files, probes, samples, signals) runs in the recorder's threads, and acts on supervisord
only as the listener did from outside: XML-RPC over its unix socket (the scheduler's starts, the
watchdog's restarts of dependents, which the main loop serves between turns) or a signal to a
process group. A failure in a thread is written to data/logs/platform-events.err.log and the thread
goes on with the next event; supervisord never sees it.

At shutdown or reload supervisord leaves its loop once every program has stopped; the wrapper of
runforever then lets the queue drain (for at most DRAIN_S), so that `logs -f` and `run` still see
the last programs' stops, as the listener's drain did.
"""

from __future__ import annotations

import collections
import os
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

DRAIN_S = 2.0
TIDY_S = 5.0  # how often the thread hands freed memory back (see _tidy)
SPAWN_WAIT_S = 1.0  # how long the thread waits for the pid of a STARTING event (spawn() forks after it)


def parse_event(headers: dict, payload: str, now: float) -> dict:
    """A history record from an event's name (`eventname` header) and supervisor's payload text
    (`processname:web from_state:STARTING ... at:<unix time> exit:1`)."""
    fields = dict(token.split(":", 1) for token in payload.split() if ":" in token)
    try:
        now = float(fields["at"])  # stamped by the daemon when it happened
    except (KeyError, ValueError):
        pass
    event = {
        "ts": now,
        "time": datetime.fromtimestamp(now, timezone.utc).isoformat(timespec="milliseconds"),
        "name": fields.get("processname", "?"),
        "from": fields.get("from_state", "?"),
        "to": headers.get("eventname", "").removeprefix("PROCESS_STATE_"),
    }
    if "pid" in fields:
        event["pid"] = int(fields["pid"]) if fields["pid"].isdigit() else None
    if "expected" in fields:
        event["expected"] = fields["expected"] == "1"
    if fields.get("exit", "-") != "-":
        event["exit"] = fields["exit"]
    return event


class Recorder:
    """The queue between supervisord's main loop and the recording thread, and that thread."""

    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self.pid = os.getpid()
        self._items: collections.deque = collections.deque()
        self._ready = threading.Condition()
        self._busy = False
        self.watchdog = None
        self.scheduler = None
        self._libc = None

    # -- supervisord's main loop ---------------------------------------------------------------

    def take(self, event) -> None:
        """events.subscribe callback: copy what the record needs and queue it; nothing else.
        The extra values were rendered when the event was made (supervisor does so eagerly)."""
        try:
            item = (type(event), event.process.config.name, event.from_state, tuple(event.extra_values))
        except Exception:  # an event of a shape we do not know: never raise into supervisord
            return
        with self._ready:
            self._items.append(item)
            self._ready.notify()

    def drain(self, timeout: float) -> bool:
        """Wait until every queued event is recorded (True), or `timeout` s (False)."""
        with self._ready:
            return self._ready.wait_for(lambda: not self._items and not self._busy, timeout)

    # -- the recorder's thread -----------------------------------------------------------------

    def start(self) -> None:
        _one_malloc_arena()
        threading.Thread(target=self._run, name="platform-recorder", daemon=True).start()

    def _run(self) -> None:
        from platform_cli.procman.complaints import complain, log_to

        log_to(self.data_dir / "logs" / "platform-events.err.log")
        try:
            history = self._start_watching()
        except Exception as exc:  # no watchdog then, but the history is still kept
            complain(f"cannot start the watchdog: {type(exc).__name__}: {exc}")
            from platform_cli.procman.history import History

            history = History(self.data_dir)
        tidy_at = time.monotonic()
        while True:
            if time.monotonic() >= tidy_at:
                try:
                    self._tidy()
                except Exception as exc:  # only memory is at stake: say so, record on
                    complain(f"cannot tidy memory: {type(exc).__name__}: {exc}")
                tidy_at = time.monotonic() + TIDY_S
            with self._ready:
                self._busy = False
                self._ready.notify_all()  # drain() may be waiting
                if not self._ready.wait_for(lambda: self._items, max(0.0, tidy_at - time.monotonic())):
                    continue
                item, self._busy = self._items.popleft(), True
            try:
                self._record(history, item)
            except OSError as exc:  # a full disk: the event is lost, the next one is tried
                complain(f"cannot record event: {exc}")
            except Exception as exc:  # a bug or a corrupt file must not end the recording
                complain(f"cannot record event: {type(exc).__name__}: {exc}")

    def _start_watching(self):
        from platform_cli.procman.history import History
        from platform_cli.procman.watchdog import Watchdog

        history = History(self.data_dir)
        self.watchdog = Watchdog(self.data_dir, history, on_plan=self._schedule_if_needed)
        self.watchdog.start()
        return history

    def _schedule_if_needed(self, plan: dict) -> None:
        """The scheduler's thread (and croniter) only once a process has a schedule: most
        projects have none, and the daemon's memory pays for each thread and module."""
        if self.scheduler is None and any(entry.schedule for entry in plan.values()):
            from platform_cli.procman.schedule import Scheduler

            self.scheduler = Scheduler(self.data_dir, self.watchdog.history, self.watchdog.state_of)
            self.scheduler.start()

    def _tidy(self) -> None:
        """Collect cyclic garbage and hand the heap's free pages back to the system: a probe
        round, an XML-RPC reply or a log burst leaves freed chunks that glibc keeps in the heap
        otherwise, counted in the daemon's memory until it is reused."""
        import gc

        gc.collect()
        if self._libc is None:
            import ctypes  # loaded already: daemon_entry becomes a subreaper through it

            try:
                self._libc = ctypes.CDLL(None).malloc_trim
            except (OSError, AttributeError):  # no glibc: nothing to hand back this way
                self._libc = False
        if self._libc:
            self._libc(0)

    def _record(self, history, item) -> None:
        from supervisor.events import getEventNameByType
        from supervisor.states import getProcessStateDescription

        kind, name, from_state, extra = item
        for _, value in extra:
            settled = getattr(value, "settled", None)  # daemon_entry's SpawnedPid: known once spawn() returns
            if settled is not None:
                settled.wait(SPAWN_WAIT_S)
        payload = " ".join(f"{key}:{value}" for key, value in
                           (("processname", name), ("from_state", getProcessStateDescription(from_state)), *extra))
        eventname = next(filter(None, map(getEventNameByType, kind.__mro__)), "")  # a subclass: its parent's name
        event = parse_event({"eventname": eventname}, payload, time.time())
        if self.watchdog is not None:
            self.watchdog.observe(event)
        history.record(event)


M_ARENA_MAX = -8  # <malloc.h>


def _one_malloc_arena() -> bool:
    """Have glibc's malloc serve every thread from the main heap. By default each new thread gets
    an arena of its own (up to 8 per core), and with the watchdog's one thread per process these
    held ~1.4 MB of the daemon's memory, for no gain: the GIL lets one thread run Python at a
    time anyway. In this process only (MALLOC_ARENA_MAX in the environment would reach every
    program supervisord starts). False where there is no glibc."""
    import ctypes  # loaded already: daemon_entry becomes a subreaper through it

    try:
        return ctypes.CDLL(None).mallopt(M_ARENA_MAX, 1) == 1
    except (OSError, AttributeError):
        return False


_recorder: Recorder | None = None


def recording(runforever):
    """Wrap Supervisor.runforever: subscribe the recorder (supervisord's run() clears every
    subscription before each runforever, at start and at each reload), start its thread once per
    process (after the fork that daemonizes: threads do not survive a fork), and drain it when
    the loop ends."""

    def run_recording(self):
        from supervisor import events

        global _recorder
        if _recorder is None or _recorder.pid != os.getpid():
            _recorder = Recorder(Path(os.environ["PLATFORM_DATA_DIR"]))
            _recorder.start()
        events.subscribe(events.ProcessStateEvent, _recorder.take)
        try:
            return runforever(self)
        finally:
            _recorder.drain(DRAIN_S)

    return run_recording
