"""Delivery status names: one canonical English spelling each, and the Korean name the original
documents use, accepted wherever a client writes a status (pure). Delivery moves orders between
them (services/delivery/statuses.py), orders shows them, the gateway's access rules read them."""

from __future__ import annotations

import unicodedata

STATUSES = ("received", "brewing", "delivering", "delivered", "cancelled")
# The documents name four; `delivering` is ours, and 배송중 is what Korean parcel trackers show
# between 접수완료 and 배송완료.
LABELS = {"received": "접수완료", "brewing": "제작중", "delivering": "배송중", "delivered": "배송완료", "cancelled": "취소"}
_BY_NAME = {**{status: status for status in STATUSES}, **{label: status for status, label in LABELS.items()}}


def canonical(name) -> str | None:
    """The canonical status a client means by `name` (English or Korean), or None. Hangul may come
    composed or decomposed (macOS file names and some keyboards send jamo): both mean the same."""
    if not isinstance(name, str):
        return None
    return _BY_NAME.get(unicodedata.normalize("NFC", name))


def described() -> str:
    """Every status with its Korean name, for messages: "received (접수완료), brewing (제작중), …"."""
    return ", ".join(f"{status} ({LABELS[status]})" for status in STATUSES)


def labelled(doc: dict) -> dict:
    """A document as clients see it: its status, then that status's Korean name as status_label."""
    shown = {}
    for key, value in doc.items():
        shown[key] = value
        if key == "status" and value in LABELS:
            shown["status_label"] = LABELS[value]
    return shown
