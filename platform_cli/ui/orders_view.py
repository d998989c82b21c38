"""Orders and deliveries, drawn with rich; or as JSON for scripts."""

from __future__ import annotations

import json

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

STATUS_STYLES = {"received": "cyan", "brewing": "yellow", "delivering": "magenta", "delivered": "green", "cancelled": "dim"}


def print_json(data) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


def render_order(order: dict, console: Console, title: str = "order") -> None:
    grid = Table.grid(padding=(0, 2))
    for key in ("order_id", "user_id", "coffee_name", "coffee_price", "coffee_qty", "total", "status", "ordered_at"):
        value = order.get(key, "")
        grid.add_row(key, Text(str(value), style=STATUS_STYLES.get(value, "") if key == "status" else ""))
    console.print(Panel(grid, title=escape(title), expand=False))


def render_orders(page: dict, console: Console) -> None:
    table = Table(box=None, header_style="bold")
    for column in ("ordered at", "order id", "coffee", "qty", "total", "status"):
        table.add_column(column, justify="right" if column in ("qty", "total") else "left", no_wrap=column == "order id")
    for o in page["orders"]:
        table.add_row(o["ordered_at"][:19].replace("T", " "), o["order_id"], Text(o["coffee_name"]), str(o["coffee_qty"]),
                      str(o["total"]), _status(o["status"]))
    console.print(table)
    _more(page, console)


def render_delivery(doc: dict, console: Console) -> None:
    history = Table(box=None, header_style="bold")
    history.add_column("status")
    history.add_column("at")
    for step in doc["history"]:
        history.add_row(_status(step["status"]), step["at"][:23].replace("T", " "))
    # Values come from users: never read as rich markup.
    title = escape(f"{doc['order_id']} — {doc['coffee_qty']} × {doc['coffee_name']} for {doc['user_id']}")
    console.print(Panel(history, title=title, expand=False))


def render_deliveries(page: dict, console: Console) -> None:
    label = f" ({page['status_label']})" if page.get("status_label") else ""
    table = Table(box=None, header_style="bold", title=escape(f"{page['status']}{label}: {page['total']}"))
    for column in ("since", "order id", "user", "coffee", "qty"):
        table.add_column(column, no_wrap=column == "order id")
    for d in page["orders"]:
        table.add_row(d["history"][-1]["at"][:19].replace("T", " "), d["order_id"], Text(d["user_id"]), Text(d["coffee_name"]),
                      str(d["coffee_qty"]))
    console.print(table)
    _more(page, console)


def _status(status: str) -> Text:
    return Text(status, style=STATUS_STYLES.get(status, ""))


def _more(page: dict, console: Console) -> None:
    if page.get("next_offset") is not None:
        console.print(f"[dim]{page['total'] - page['next_offset']} more: --offset {page['next_offset']}[/]")
