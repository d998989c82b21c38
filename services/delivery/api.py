"""/delivery-ms: orders by status, one order's status and history, and status changes.

A status may be written in English or Korean (`/delivery-ms/제작중`, `{"status": "제작중"}`);
answers and events carry the English name, and answers add its Korean one as `status_label`.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

from flask import Blueprint, current_app, jsonify, request

from services.common.errors import ApiError
from services.common.statuses import LABELS, STATUSES, canonical, described, labelled
from services.delivery.statuses import allowed_next
from services.delivery.storage import Conflict
from services.common.validation import check_user_id, is_uuid, json_object, parse_page

bp = Blueprint("delivery", __name__, url_prefix="/delivery-ms")


def store():
    return current_app.extensions["delivery.store"]


@bp.get("/<status>")
def by_status(status: str):
    status = check_status(status, "status")
    limit, offset = parse_page(request.args)
    page, total = store().by_status(status, limit, offset)
    next_offset = offset + len(page) if offset + len(page) < total else None
    return jsonify(status=status, status_label=LABELS[status], orders=[labelled(doc) for doc in page], total=total,
                   limit=limit, offset=offset, next_offset=next_offset)


@bp.get("/<user_id>/<order_id>")
def show(user_id: str, order_id: str):
    check_user_id(user_id)
    return jsonify(found(store().get(user_id, order_id) if is_uuid(order_id) else None, user_id, order_id))


@bp.put("/<user_id>/<order_id>")
def change(user_id: str, order_id: str):
    check_user_id(user_id)
    body = json_object()
    status = check_status(body.get("status"), "status")

    def make_event(version: int) -> dict:
        now = datetime.now(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")
        return {"type": "delivery.status_changed", "id": str(uuid.uuid4()), "ts": now,
                "data": {"order_id": order_id, "user_id": user_id, "status": status, "at": now, "version": version}}

    if not is_uuid(order_id):
        raise ApiError(404, "not_found", f"user {user_id} has no order {order_id} in delivery")
    try:
        updated = store().change(user_id, order_id, status, make_event, allowed_next)
    except Conflict as conflict:
        raise ApiError(409, "invalid_transition", f"an order that is {conflict.current} cannot become {status}",
                       current=conflict.current, allowed=list(conflict.allowed)) from None
    return jsonify(found(updated, user_id, order_id))


def check_status(status, field: str) -> str:
    """The canonical status a client wrote, in English or Korean; else a 400 listing both."""
    name = canonical(status)
    if name is None:
        raise ApiError(400, "invalid_field", f"{field} must be one of {described()}", field=field,
                       allowed=list(STATUSES))
    return name


def found(doc, user_id: str, order_id: str) -> dict:
    if doc is None:
        raise ApiError(404, "not_found", f"user {user_id} has no order {order_id} in delivery")
    return labelled(doc)
