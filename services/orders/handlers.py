"""What the orders service does with the events it consumes (pure, given the store)."""

from __future__ import annotations


def handle_delivery_event(store, event: dict) -> None:
    if event["type"] == "delivery.status_changed":
        data = event["data"]
        store.set_status(data["order_id"], data["status"], event["id"], int(data["version"]))
