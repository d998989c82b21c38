"""The outcome of each process's last reload, for `status`, `events` and `logs -f`.

A reload that rolled back leaves the old instances serving, which `status` alone would show as
all green: the failure is kept in data/supervisor/reloads.json (by Procfile name) until a reload
of that process succeeds, and `status` prints it and exits 3. Each outcome is also an event in
events.jsonl (History.note), which `platform events` lists and `logs -f` shows as a lifecycle
line (`orders reload failed: ...`), so a watch-mode edit that breaks a service is seen where the
service's output is read.
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone
from pathlib import Path

from platform_cli.procman.history import History
from platform_cli.procman.instances import write_json

FILE_NAME = "reloads.json"
RELOADED, RELOAD_FAILED = "RELOADED", "RELOAD_FAILED"  # the `to` of their events


def failures(data_dir: Path) -> dict[str, dict]:
    """name -> {"time", "message"} of each process whose last reload failed."""
    try:
        found = json.loads((data_dir / "supervisor" / FILE_NAME).read_text())
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def record(data_dir: Path, name: str, error: str | None, clock=time.time) -> None:
    """A reload of `name` ended: `error` is None when it succeeded."""
    now = clock()
    found = failures(data_dir)
    if error is None:
        found.pop(name, None)
        reason = "reloaded: every instance on the new code"
    else:
        found[name] = {"time": now, "message": error}
        reason = f"reload failed, the old instances keep serving: {error}"
    write_json(data_dir / "supervisor" / FILE_NAME, found)
    History(data_dir).note({"name": name, "from": "RUNNING", "to": RELOAD_FAILED if error else RELOADED, "reason": reason,
                            "ts": now, "time": datetime.fromtimestamp(now, timezone.utc).isoformat(timespec="milliseconds")})
