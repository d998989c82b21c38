"""/delivery-ms: orders by status, one order's status and history, and status changes."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

from flask import Blueprint, current_app, jsonify, request

from services.common.errors import ApiError
from services.delivery.statuses import STATUSES, allowed_next
from services.delivery.storage import Conflict
from services.common.validation import check_user_id, parse_page

bp = Blueprint("delivery", __name__, url_prefix="/delivery-ms")


def store():
    return current_app.extensions["delivery.store"]


@bp.get("/<status>")
def by_status(status: str):
    check_status(status, "status")
    limit, offset = parse_page(request.args)
    page, total = store().by_status(status, limit, offset)
    next_offset = offset + len(page) if offset + len(page) < total else None
    return jsonify(status=status, orders=page, total=total, limit=limit, offset=offset, next_offset=next_offset)


@bp.get("/<user_id>/<order_id>")
def show(user_id: str, order_id: str):
    check_user_id(user_id)
    return jsonify(found(store().get(user_id, order_id), user_id, order_id))


@bp.put("/<user_id>/<order_id>")
def change(user_id: str, order_id: str):
    check_user_id(user_id)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_body", "the body must be a JSON object")
    status = check_status(body.get("status"), "status")
    now = datetime.now(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")
    event = {"type": "delivery.status_changed", "id": str(uuid.uuid4()), "ts": now,
             "data": {"order_id": order_id, "user_id": user_id, "status": status, "at": now}}
    try:
        updated = store().change(user_id, order_id, status, event, allowed_next)
    except Conflict as conflict:
        raise ApiError(409, "invalid_transition", f"an order that is {conflict.current} cannot become {status}",
                       current=conflict.current, allowed=list(conflict.allowed)) from None
    return jsonify(found(updated, user_id, order_id))


def check_status(status, field: str) -> str:
    if status not in STATUSES:
        raise ApiError(400, "invalid_field", f"{field} must be one of {', '.join(STATUSES)}", field=field,
                       allowed=list(STATUSES))
    return status


def found(doc, user_id: str, order_id: str) -> dict:
    if doc is None:
        raise ApiError(404, "not_found", f"user {user_id} has no order {order_id} in delivery")
    return doc
