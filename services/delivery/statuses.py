"""Delivery statuses and the moves allowed between them (pure). The names, and the Korean ones
clients may use, are in services/common/statuses.py: the gateway's rules read them too."""

from __future__ import annotations

from services.common.statuses import LABELS, STATUSES, canonical, described

NEXT = {
    "received": ("brewing", "cancelled"),
    "brewing": ("delivering", "cancelled"),
    "delivering": ("delivered",),
    "delivered": (),
    "cancelled": (),
}

__all__ = ["LABELS", "NEXT", "STATUSES", "allowed_next", "canonical", "described"]


def allowed_next(status: str) -> tuple[str, ...]:
    return NEXT[status]
