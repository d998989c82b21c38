"""delivery list / show / advance."""

from __future__ import annotations

from typing import Optional

import typer

from platform_cli.workspace import Workspace

app = typer.Typer(help="Deliveries, through the delivery service.", no_args_is_help=True)
Json = typer.Option(False, "--json", help="JSON, for scripts.")
# The order of a delivery's life; `advance` moves one step along it.
FLOW = ("received", "brewing", "delivering", "delivered")


@app.command("list")
def list_deliveries(
    ctx: typer.Context,
    status: str = typer.Argument(..., help="received (접수완료), brewing (제작중), delivering (배송중), delivered (배송완료) "
                                           "or cancelled (취소): either name."),
    limit: int = typer.Option(20, "--limit", min=1, max=100, help="At most this many."),
    offset: int = typer.Option(0, "--offset", min=0, help="Skip this many first (for the next page)."),
    as_json: bool = Json,
) -> None:
    """Orders in one status, longest waiting first."""
    from platform_cli.ui.orders_view import print_json, render_deliveries

    ws: Workspace = ctx.obj
    page = ws.service("delivery").get("delivery-ms", status, query={"limit": limit, "offset": offset})
    print_json(page) if as_json else render_deliveries(page, ws.out)


@app.command()
def show(ctx: typer.Context, order_id: str = typer.Argument(..., metavar="ORDER_ID", help="The order's id, as `order create` or `order list` shows it."),
         user: Optional[str] = typer.Option(None, "--user", "-u", help="[default: the logged-in user]"), as_json: bool = Json) -> None:
    """One order's delivery status and its history."""
    from platform_cli.ui.orders_view import print_json, render_delivery

    ws: Workspace = ctx.obj
    doc = ws.service("delivery").get("delivery-ms", ws.user(user), order_id)
    print_json(doc) if as_json else render_delivery(doc, ws.out)


@app.command()
def advance(
    ctx: typer.Context,
    order_id: str = typer.Argument(..., metavar="ORDER_ID", help="The order's id, as `order create` or `order list` shows it."),
    user: Optional[str] = typer.Option(None, "--user", "-u", help="[default: the logged-in user]"),
    to: Optional[str] = typer.Option(None, "--to", help="The status to move to, English or Korean (default: the next one)."),
    as_json: bool = Json,
) -> None:
    """Move an order on: received → brewing → delivering → delivered (or --to cancelled)."""
    from platform_cli.errors import PlatformError
    from platform_cli.ui.orders_view import print_json, render_delivery

    ws: Workspace = ctx.obj
    client = ws.service("delivery")
    user = ws.user(user)
    if to is None:
        current = client.get("delivery-ms", user, order_id)["status"]
        if current not in FLOW[:-1]:
            raise PlatformError(f"order {order_id} is {current}: it has nowhere further to go")
        to = FLOW[FLOW.index(current) + 1]
    doc = client.put("delivery-ms", user, order_id, body={"status": to})
    print_json(doc) if as_json else render_delivery(doc, ws.out)
