"""Scheduled tasks: `schedule = "*/5 * * * *"` runs a task on a cron schedule.

The daemon side fires them, so that schedules keep running with no CLI open: a thread inside
supervisord (started by recorder.py), beside the watchdog, reads each task's schedule from watch.json
(written by `up`), asks supervisord to start the task when it is due, and writes the next run of
each to schedules.json for `platform status`. supervisord's own state events record each run and
its exit in `platform events`, as for any process; a fire is recorded as a `SCHEDULED` event first,
and one skipped because the last run is still going (max_concurrent = 1) as `SKIPPED`.

Cron expressions are croniter's: five fields, or six with seconds last (`* * * * * */2`), in the
machine's local time, as cron reads them. `next_run` and `step_schedule` are pure; the clock, the
client and the history are passed in.
"""

from __future__ import annotations

import json
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import NamedTuple

from platform_cli.procman import states

FILE_NAME = "schedules.json"
SCHEDULED, SKIPPED = "SCHEDULED", "SKIPPED"  # the `to` of the history's schedule records


def check_schedule(expression: str) -> None:
    """ValueError unless croniter reads the expression (5 fields, or 6 with seconds)."""
    from croniter import croniter

    if len(expression.split()) not in (5, 6) or not croniter.is_valid(expression):
        raise ValueError(f"schedule {expression!r} is not a cron expression (5 fields, or 6 with seconds last)")


def next_run(expression: str, after: float) -> float:
    """The first time strictly after `after` (unix seconds) that the expression names."""
    from croniter import croniter

    return croniter(expression, datetime.fromtimestamp(after).astimezone()).get_next(float)


class Decision(NamedTuple):  # not a dataclass: this runs inside supervisord (see probestate.py)
    fire: bool
    skip: bool
    next_at: float


def step_schedule(expression: str, next_at: float | None, now: float, state: str | None) -> Decision:
    """What to do now with one scheduled task: fire it, skip this run (still running: one at a
    time), or nothing yet; and when to look again."""
    if next_at is None:
        return Decision(False, False, next_run(expression, now))
    if now < next_at:
        return Decision(False, False, next_at)
    busy = state in states.ALIVE or state == states.STOPPING
    # Missed runs (the machine slept) are not made up: one run now, then the next one due.
    return Decision(not busy, busy, next_run(expression, now))


class Scheduler:
    """The daemon's thread that fires scheduled tasks."""

    def __init__(self, data_dir: Path, history, state_of, client_factory=None, clock=time.time):
        self.data_dir = data_dir
        self.run_dir = data_dir / "supervisor"
        self.history = history
        self.state_of = state_of  # name -> supervisord state, as the watchdog last heard it
        self.client_factory = client_factory or self._client
        self.clock = clock
        self.next_at: dict[str, float] = {}
        self.expressions: dict[str, str] = {}
        self._stop = threading.Event()
        self._published: str | None = None
        self._plan_stamp = None
        self._plan_schedules: dict[str, str] = {}

    def start(self) -> None:
        threading.Thread(target=self._run, name="scheduler", daemon=True).start()

    def _client(self):
        from platform_cli.procman.supervisor import SupervisorClient  # only once a task is scheduled

        return SupervisorClient(self.run_dir / "supervisord.sock", timeout=10)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                wait = self.tick()
            except Exception as exc:  # a bad plan or a daemon shutting down must not end the thread
                from platform_cli.procman.complaints import complain

                complain(f"scheduler: {type(exc).__name__}: {exc}")
                wait = 1.0
            self._stop.wait(wait)

    def tick(self) -> float:
        """Fire what is due; return the seconds until the next look (at most one, for new plans)."""
        schedules = self._schedules()
        for name in list(self.next_at):
            if self.expressions.get(name) != schedules.get(name):
                del self.next_at[name]  # removed or changed: start counting afresh
        self.expressions = schedules
        now = self.clock()
        for name, expression in schedules.items():
            decision = step_schedule(expression, self.next_at.get(name), now, self.state_of(name))
            if decision.fire or decision.skip:
                self._record(name, SCHEDULED if decision.fire else SKIPPED, expression, now)
            if decision.fire:
                try:
                    self.client_factory().start(name)
                except Exception as exc:  # one task's failure must not stop the others' schedules
                    from platform_cli.procman.complaints import complain

                    complain(f"scheduler: {name}: {type(exc).__name__}: {exc}")
            self.next_at[name] = decision.next_at
        self._publish()
        soonest = min(self.next_at.values(), default=now + 1.0)
        return max(0.01, min(1.0, soonest - self.clock()))

    def _schedules(self) -> dict[str, str]:
        """name -> cron expression, from watch.json, read again only when `up` rewrote it."""
        from platform_cli.procman.watchplan import FILE_NAME as PLAN, load_plan

        try:
            stat = (self.run_dir / PLAN).stat()
            stamp = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        except FileNotFoundError:
            stamp = None
        if stamp != self._plan_stamp:
            self._plan_stamp = stamp
            self._plan_schedules = {name: e.schedule for name, e in load_plan(self.run_dir).items() if e.schedule}
        return self._plan_schedules

    def _record(self, name: str, to: str, expression: str, now: float) -> None:
        reason = (f"run by its schedule ({expression})" if to == SCHEDULED
                  else f"not run by its schedule ({expression}): the last run is still going")
        self.history.record({"ts": now, "time": datetime.fromtimestamp(now, timezone.utc).isoformat(timespec="milliseconds"),
                             "name": name, "from": "-", "to": to, "detail": reason})

    def _publish(self) -> None:
        from platform_cli.procman.atomicfile import write_atomic

        text = json.dumps({name: {"schedule": self.expressions[name], "next_run": at} for name, at in self.next_at.items()},
                          sort_keys=True)
        if text != self._published:  # only when a run is done or a plan changed, not every tick
            try:
                write_atomic(self.run_dir / FILE_NAME, text)
            except OSError:
                return  # a full or read-only data dir: status lacks the next run; tried again next tick
            self._published = text


def read_next_runs(data_dir: Path) -> dict[str, float]:
    """name -> the next run's unix time, as the daemon's scheduler last wrote it."""
    try:
        raw = json.loads((data_dir / "supervisor" / FILE_NAME).read_text())
        return {name: float(entry["next_run"]) for name, entry in raw.items()}
    except (OSError, ValueError, KeyError, TypeError):
        return {}
