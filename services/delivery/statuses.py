"""The moves allowed between delivery statuses (pure). The names, and the Korean ones clients may
use, are in services/common/statuses.py: orders and the gateway's rules read them too."""

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
