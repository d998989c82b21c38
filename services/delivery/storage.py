"""The delivery store: the only module of the delivery service that reads or writes its data.

One document per order: its status, the history of statuses with times, and the ids of the
events applied to it, written with the change itself, so applying an event twice changes nothing.
"""

from __future__ import annotations

from services.common.bucketstore import BucketStore, public


class Conflict(Exception):
    def __init__(self, current: str, allowed: tuple[str, ...]):
        super().__init__(current)
        self.current, self.allowed = current, allowed


class DeliveryStore(BucketStore):
    prefix = "delivery"
    key = "order_id"

    def __init__(self, directory, on_event=lambda: None):
        self._by_status: dict[str, dict[str, str]] = {}  # status -> {order_id: when it got there}
        super().__init__(directory, on_event)

    def index(self, doc: dict) -> None:
        self._by_status.setdefault(doc["status"], {})[doc["order_id"]] = doc["history"][-1]["at"]

    def unindex(self, doc: dict) -> None:
        self._by_status.get(doc["status"], {}).pop(doc["order_id"], None)

    def receive(self, order: dict, event_id: str, at: str) -> bool:
        """A new order from events:orders; False when it is here already (a re-published event)."""
        with self.writing(order["order_id"]):
            if self.find(order["order_id"]) is not None:
                return False
            self.insert({
                "order_id": order["order_id"],
                "user_id": order["user_id"],
                "coffee_name": order["coffee_name"],
                "coffee_qty": order["coffee_qty"],
                "status": "received",
                "history": [{"status": "received", "at": at}],
                "applied": [event_id],
            })
        return True

    def change(self, user_id: str, order_id: str, status: str, make_event, allowed) -> dict | None:
        """Move the user's order to `status` if `allowed(current)` has it; None if no such order.

        make_event(at, version) builds the event under the lock: its time, and the order's version
        (the length of its history), which lets a consumer tell a late event from a newer one.
        """
        with self.writing(order_id):
            doc = self.find(order_id)
            if doc is None or doc["user_id"] != user_id:
                return None
            if status not in allowed(doc["status"]):
                raise Conflict(doc["status"], allowed(doc["status"]))
            event = make_event(len(doc["history"]) + 1)
            history = [*doc["history"], {"status": status, "at": event["ts"]}]
            updated = self.update(doc, {"status": status, "history": history}, [event])
        self.on_event()
        return public(updated)

    def by_status(self, status: str, limit: int, offset: int) -> tuple[list[dict], int]:
        """A page of the orders in `status`, longest there first, and how many there are."""
        with self.reading():
            found = self._by_status.get(status, {})
            ids = sorted(found, key=lambda oid: (found[oid], oid))
            return [public(self.find(oid)) for oid in ids[offset : offset + limit]], len(ids)
