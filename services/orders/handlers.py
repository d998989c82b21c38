"""What the orders service does with the events it consumes (pure, given the store)."""

from __future__ import annotations


def handle_delivery_event(store, event: dict) -> None:
    if event["type"] == "delivery.status_changed":
        store.set_status(event["data"]["order_id"], event["data"]["status"], event["id"])
