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


def following(status: str) -> str | None:
    """The next status on the happy path (what `advance` moves to), None at the end."""
    return next((s for s in NEXT[status] if s != "cancelled"), None)
