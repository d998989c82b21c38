"""/order-ms/<user_id>/orders: create, list and show coffee orders. Each answer's `status` (kept
current from events:delivery) comes with its Korean name, `status_label`, as delivery's do."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

from flask import Blueprint, current_app, jsonify, request

from services.common.errors import ApiError
from services.common.statuses import labelled
from services.common.validation import check_user_id, is_uuid, json_object, parse_page
from services.orders.validation import parse_order

bp = Blueprint("orders", __name__, url_prefix="/order-ms/<user_id>/orders")


def store():
    return current_app.extensions["orders.store"]


@bp.post("")
def create(user_id: str):
    check_user_id(user_id)
    fields = parse_order(json_object())
    now = datetime.now(timezone.utc)
    order = {
        "order_id": str(uuid.uuid4()),
        "user_id": user_id,
        **fields,
        "total": fields["coffee_price"] * fields["coffee_qty"],
        "status": "received",
        "ordered_at": now.isoformat(timespec="microseconds").replace("+00:00", "Z"),
    }
    event = {"type": "order.created", "id": str(uuid.uuid4()), "ts": order["ordered_at"], "data": order}
    store().create(order, event)
    return jsonify(labelled(order)), 201


@bp.get("")
def list_orders(user_id: str):
    check_user_id(user_id)
    limit, offset = parse_page(request.args)
    page, total = store().list(user_id, limit, offset)
    next_offset = offset + len(page) if offset + len(page) < total else None
    return jsonify(orders=[labelled(order) for order in page], total=total, limit=limit, offset=offset, next_offset=next_offset)


@bp.get("/<order_id>")
def show(user_id: str, order_id: str):
    check_user_id(user_id)
    order = store().get(user_id, order_id) if is_uuid(order_id) else None
    if order is None:
        raise ApiError(404, "not_found", f"user {user_id} has no order {order_id}")
    return jsonify(labelled(order))

