"""The `platform ls` table (or JSON lines)."""

from __future__ import annotations

import json

from rich.console import Console
from rich.table import Table


def render_platforms(platforms, console: Console, as_json: bool = False) -> None:
    if as_json:
        for found in platforms:
            console.print(json.dumps(found.to_json(), sort_keys=True), soft_wrap=True, highlight=False)
        return
    if not platforms:
        console.print("no platform is running on this machine")
        return
    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in ("folder", "data dir", "ports", "state"):
        table.add_column(column)
    for found in platforms:
        entry = found.entry
        ports = ", ".join(f"{name} {port}" for name, port in entry.ports.items()) or f"base {entry.base_port}"
        table.add_row(entry.project_dir, entry.data_dir, ports, found.state)
    console.print(table)
