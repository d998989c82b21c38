"""order create / list / show / cancel."""

from __future__ import annotations

from typing import Optional

import typer

from platform_cli.workspace import Workspace

app = typer.Typer(help="Coffee orders, through the orders service.", no_args_is_help=True)
User = typer.Option(None, "--user", "-u", help="The user the orders belong to [default: the logged-in user].")
Json = typer.Option(False, "--json", help="JSON, for scripts.")


OrderId = typer.Argument(..., metavar="ORDER_ID", help="The order's id, as `order create` or `order list` shows it.")

@app.command()
def create(
    ctx: typer.Context,
    user: Optional[str] = User,
    coffee: str = typer.Option(..., "--coffee", "-c", help="What to order."),
    price: int = typer.Option(..., "--price", help="Price of one."),
    qty: int = typer.Option(1, "--qty", help="How many."),
    as_json: bool = Json,
) -> None:
    """Place an order; delivery sees it moments later."""
    ws: Workspace = ctx.obj
    order = ws.service("orders").post("order-ms", ws.user(user), "orders", body={"coffee_name": coffee, "coffee_price": price, "coffee_qty": qty})
    _show_order(ws, order, as_json, "order placed")


@app.command("list")
def list_orders(
    ctx: typer.Context,
    user: Optional[str] = User,
    limit: int = typer.Option(20, "--limit", min=1, max=100, help="At most this many, newest first."),
    offset: int = typer.Option(0, "--offset", min=0, help="Skip this many first (for the next page)."),
    as_json: bool = Json,
) -> None:
    """The user's orders, newest first."""
    from platform_cli.ui.orders_view import print_json, render_orders

    ws: Workspace = ctx.obj
    page = ws.service("orders").get("order-ms", ws.user(user), "orders", query={"limit": limit, "offset": offset})
    print_json(page) if as_json else render_orders(page, ws.out)


@app.command()
def show(ctx: typer.Context, order_id: str = OrderId, user: Optional[str] = User, as_json: bool = Json) -> None:
    """One order, with its current delivery status."""
    ws: Workspace = ctx.obj
    _show_order(ws, ws.service("orders").get("order-ms", ws.user(user), "orders", order_id), as_json)


@app.command()
def cancel(ctx: typer.Context, order_id: str = OrderId, user: Optional[str] = User, as_json: bool = Json) -> None:
    """Cancel an order that is not yet on its way (received or brewing)."""
    from platform_cli.ui.orders_view import print_json, render_delivery

    ws: Workspace = ctx.obj
    doc = ws.service("delivery").put("delivery-ms", ws.user(user), order_id, body={"status": "cancelled"})
    print_json(doc) if as_json else render_delivery(doc, ws.out)


def _show_order(ws: Workspace, order: dict, as_json: bool, title: str = "order") -> None:
    from platform_cli.ui.orders_view import print_json, render_order

    print_json(order) if as_json else render_order(order, ws.out, title)
