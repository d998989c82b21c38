"""supervisord event listener: records every PROCESS_STATE event, runs the watchdog and fires
scheduled tasks (schedule.py).

Run by supervisord (see supervisord.conf) as `python -m platform_cli.procman.listener`. The
watchdog (watchdog.py: probes, CPU and memory, liveness and memory restarts) runs in threads of
this process, fed the same state events; TICK events, which older supervisord.conf copies still
subscribe to, are acknowledged and otherwise ignored.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from platform_cli.procman.history import History


def parse_event(headers: dict, payload: str, now: float) -> dict:
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


def wait(stdin, stdout) -> tuple[dict, str]:
    """Ask supervisord for the next event: its headers and payload. This is the listener protocol
    of supervisor's `childutils.listener`, whose import alone costs this process ~15 MB of RSS and
    ~90 ms of CPU at every start (it pulls in xmlrpc, http.client, email and medusa)."""
    stdout.write("READY\n")
    stdout.flush()
    line = stdin.readline()
    if not line:
        sys.exit(0)  # supervisord is gone
    headers = dict(token.split(":", 1) for token in line.split())
    return headers, stdin.read(int(headers["len"]))


def ok(stdout) -> None:
    stdout.write("RESULT 2\nOK")
    stdout.flush()


def main() -> None:
    data_dir = Path(os.environ["PLATFORM_DATA_DIR"])
    history = History(data_dir)
    from platform_cli.procman.watchdog import Watchdog

    watchdog = Watchdog(data_dir, history)
    watchdog.start()
    from platform_cli.procman.schedule import Scheduler

    Scheduler(data_dir, history, watchdog.state_of).start()
    while True:
        headers, payload = wait(sys.stdin, sys.stdout)
        try:
            if headers["eventname"].startswith("PROCESS_STATE"):
                event = parse_event(headers, payload, time.time())
                watchdog.observe(event)
                history.record(event)
        except OSError as exc:  # a full disk must not stall supervisord's event queue
            print(f"platform-events: cannot record event: {exc}", file=sys.stderr, flush=True)
        ok(sys.stdout)


if __name__ == "__main__":
    main()
