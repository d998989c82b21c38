"""What the delivery service does with the events it consumes."""

from __future__ import annotations


def handle_order_event(store, event: dict) -> None:
    if event["type"] == "order.created":
        store.receive(event["data"], event["id"], event["ts"])
