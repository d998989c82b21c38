"""Delivery statuses and the moves allowed between them (pure)."""

from __future__ import annotations

NEXT = {
    "received": ("brewing", "cancelled"),
    "brewing": ("delivering", "cancelled"),
    "delivering": ("delivered",),
    "delivered": (),
    "cancelled": (),
}
STATUSES = tuple(NEXT)


def allowed_next(status: str) -> tuple[str, ...]:
    return NEXT[status]
