"""The process history of `platform events`."""

from __future__ import annotations

import json

from rich.console import Console
from rich.table import Table
from rich.text import Text

from platform_cli.ui.format import STATE_STYLES


def render_events(events: list[dict], console: Console) -> None:
    if not events:
        console.print("no events recorded yet")
        return
    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in ("time", "name", "from", "to", "pid", "exit"):
        table.add_column(column)
    for e in events:
        table.add_row(
            e.get("time", "")[:23].replace("T", " "),
            e.get("name", "?"),
            e.get("from", "?"),
            Text(e.get("to", "?"), style=STATE_STYLES.get(e.get("to"), "")),
            str(e.get("pid") or ""),
            _exit(e),
        )
    console.print(table)


def events_json(events: list[dict]) -> str:
    return "\n".join(json.dumps(e, sort_keys=True) for e in events)


def _exit(event: dict) -> str:
    if event.get("reason"):  # the watchdog's restarts: `liveness failed 3× → restarted`
        return event["reason"]
    if "exit" not in event:
        return ""
    expected = event.get("expected")
    return f"{event['exit']}" + ("" if expected is None else (" (expected)" if expected else " (unexpected)"))
