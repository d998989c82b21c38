"""Lifecycle lines: the history's start, exit and stop events as the sentences that `logs -f` and
`run` show among the processes' own output, as honcho and PM2 do:

    orders exited (SIGKILL), restarting
    orders started (pid 4242)
    orders stopped
    orders liveness failed 3× → restarted (pid 4242)

The recorder's record (recorder.py, history.py, data/supervisor/events.jsonl) is the only source: a
follower reads it as it grows, like a log file. Each line keeps its own stream, "lifecycle", so
that nothing the platform says is mistaken for a process's stdout or stderr.
"""

from __future__ import annotations

import json

from platform_cli.procman.logfiles import make_stamp
from platform_cli.procman.states import BACKOFF, EXITED, FATAL, STARTING, STOPPED

STREAM = "lifecycle"


def describe_event(event: dict) -> str | None:
    """The sentence for one recorded state change; None for the steps in between (RUNNING,
    STOPPING), which the sentences before and after cover."""
    name, to = event.get("name", "?"), event.get("to")
    if to == STARTING:  # told when the fork is done (daemon_entry gives the event its pid)
        pid = event.get("pid")
        return f"{name} started" + (f" (pid {pid})" if pid else "")
    if to == EXITED:
        if event.get("expected") is True:
            # An exit with a success code: a task is done, `restart = "on_failure"` or "no" leave it
            # be; where the process is restarted all the same, the start line follows.
            return f"{name} exited ({_exit(event)})"
        return f"{name} exited ({_exit(event)}), restarting"
    if to == BACKOFF:
        return f"{name} exited ({_exit(event)}) while starting, retrying"
    if to == FATAL:
        return f"{name} kept exiting while starting: given up (FATAL)"
    if to in ("SCHEDULED", "SKIPPED"):  # schedule.py
        return f"{name} {event.get('detail') or to.lower()}"
    if event.get("reason"):  # the watchdog's restart (watchdog.py): why, before the exit it causes
        pid = event.get("pid")
        return f"{name} {event['reason']}" + (f" (pid {pid})" if pid else "")
    if to == STOPPED:
        killed = " (SIGKILL: it outlasted its stop_timeout)" if event.get("exit") == "SIGKILL" else ""
        return f"{name} stopped{killed}"
    return None


def _exit(event: dict) -> str:
    exit = event.get("exit")
    if exit is None:
        return "exit unknown"
    return exit if exit.startswith("SIG") else f"code {exit}"


def lifecycle_lines(raw: list[bytes], names: set[str]) -> dict[str, list[bytes]]:
    """Lines of events.jsonl as stamped log lines (`<stamp> <sentence>`), per process; only the
    named processes (all when `names` is empty)."""
    found: dict[str, list[bytes]] = {}
    for line in raw:
        try:
            event = json.loads(line)
        except ValueError:  # half a line can only be the rest of one cut by rotation
            continue
        if not isinstance(event, dict) or (names and event.get("name") not in names):
            continue
        sentence = describe_event(event)
        if sentence is not None:
            stamp = make_stamp(float(event.get("ts") or 0))
            found.setdefault(event["name"], []).append(stamp + b" " + sentence.encode())
    return found
