"""The record of process state changes: an append-only JSON-lines log and a small summary.

The recorder inside supervisord is the only writer (recorder.py: its thread for supervisord's
events, its watchdog for the restarts it makes, one at a time under a lock). `platform events` reads the log;
`platform status` reads only the summary (restart counts, last exit, the watchdog's last
restart), which stays a few hundred bytes. One rule for restarts and last exit: they count since
the process was last started by a person (`up`, `start`, `restart`, `run`), whichever daemon ran
it; a restart supervisord makes on its own after a crash, or after the watchdog ended a hung
process, does not reset them.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from platform_cli.procman.atomicfile import write_atomic
from platform_cli.procman.states import AUTOMATIC_RESTART_FROM, BACKOFF, EXITED, STARTING

LOG_MAX_BYTES = 1 << 20  # then rotated to events.jsonl.1, one backup
CRASH_STATES = (EXITED, BACKOFF)  # a stop that was asked for is in the log, but is no "last exit"


class History:
    def __init__(self, data_dir: Path):
        self.dir = data_dir / "supervisor"
        self.log_path = self.dir / "events.jsonl"
        self.summary_path = self.dir / "processes.json"
        self._lock = threading.Lock()

    # -- writing (the recorder) ----------------------------------------------------------------

    def record(self, event: dict) -> None:
        with self._lock:
            self._record(event)

    def _record(self, event: dict) -> None:
        self._append(event)
        summary = self.summary()
        before = json.dumps(summary, sort_keys=True)
        entry = summary.setdefault(event["name"], {"restarts": 0, "last_exit": None})
        if event["to"] == "SCHEDULED":  # schedule.py: the next start is a run, not a restart
            entry["scheduled"] = True
        if event["to"] == STARTING:
            entry["started_at"] = event.get("ts")  # lets a reader tell whether this summary has caught up
            entry["pid"] = event.get("pid")  # and surely so: supervisord's own start time is in whole seconds
            if entry.pop("scheduled", False):
                entry["runs"] = entry.get("runs", 0) + 1
            elif event["from"] in AUTOMATIC_RESTART_FROM:
                entry["restarts"] += 1
            else:  # started by a person (up, start, restart, run): both describe this run only, as
                # a new pod's restart count and last state do in Kubernetes; `events` keeps the past.
                entry["restarts"] = 0
                entry["last_exit"] = None
                entry.pop("last_restart", None)  # the watchdog's restarts too: they were of the run before
        if event["to"] in CRASH_STATES and event.get("exit") not in (None, "-"):
            entry["last_exit"] = {k: event.get(k) for k in ("time", "exit", "expected", "from", "to")}
        if event.get("reason"):  # the watchdog's: `liveness failed 3× → restarted`
            entry["last_restart"] = {"time": event.get("time"), "reason": event["reason"]}
        after = json.dumps(summary, sort_keys=True)
        # Most events (STOPPING, STOPPED, RUNNING) change nothing here; an unchanged summary is not
        # rewritten: each rewrite costs two fsyncs, and at shutdown supervisord waits for the
        # recorder to record every stop before it exits (recorder.py).
        if after != before:
            self._replace(self.summary_path, after)

    def note(self, event: dict) -> None:
        """An event the recorder does not see: a reload's outcome (procman/reloads.py), written by
        the CLI under its operations flock. Appended only (one O_APPEND write per line, so never
        interleaved with the recorder's), never in the summary, which stays the recorder's."""
        self._append(event)

    def _append(self, event: dict) -> None:
        line = (json.dumps(event, sort_keys=True) + "\n").encode()
        try:
            if self.log_path.stat().st_size + len(line) > LOG_MAX_BYTES:
                os.replace(self.log_path, self.log_path.with_name(self.log_path.name + ".1"))
        except FileNotFoundError:
            pass
        fd = os.open(self.log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line)  # one write per line: a reader never sees half an event
        finally:
            os.close(fd)

    @staticmethod
    def _replace(path: Path, text: str) -> None:
        write_atomic(path, text)

    # -- reading -------------------------------------------------------------------------------

    def summary(self) -> dict[str, dict]:
        try:
            return json.loads(self.summary_path.read_text())
        except (FileNotFoundError, ValueError):
            return {}

    def events(self, names: list[str] | None = None, limit: int | None = None) -> list[dict]:
        found = []
        for path in (self.log_path.with_name(self.log_path.name + ".1"), self.log_path):
            try:
                lines = path.read_text(errors="replace").splitlines()
            except FileNotFoundError:
                continue
            for line in lines:
                try:
                    event = json.loads(line)
                except ValueError:
                    continue
                if not names or event.get("name") in names:
                    found.append(event)
        return found[-limit:] if limit else found
