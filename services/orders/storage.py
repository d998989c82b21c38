"""The orders store: the only module of the orders service that reads or writes its data."""

from __future__ import annotations

from services.common.bucketstore import BucketStore, public

APPLIED_KEPT = 50  # ids of delivery events applied to an order, to ignore a re-delivery


class OrderStore(BucketStore):
    prefix = "orders"
    key = "order_id"

    def __init__(self, directory, on_event=lambda: None):
        self._by_user: dict[str, dict[str, str]] = {}  # user -> {order_id: ordered_at}
        super().__init__(directory, on_event)

    def index(self, doc: dict) -> None:
        self._by_user.setdefault(doc["user_id"], {})[doc["order_id"]] = doc["ordered_at"]

    def create(self, order: dict, event: dict) -> None:
        with self.writing(order["order_id"]):
            self.insert({**order, "applied": []}, [event])
        self.on_event()

    def list(self, user_id: str, limit: int, offset: int) -> tuple[list[dict], int]:
        """A page of the user's orders, newest first, and how many there are in all."""
        with self.reading():
            mine = self._by_user.get(user_id, {})
            ids = sorted(mine, key=lambda oid: (mine[oid], oid), reverse=True)
            return [public(self.find(oid)) for oid in ids[offset : offset + limit]], len(ids)

    def set_status(self, order_id: str, status: str, event_id: str, version: int) -> bool:
        """Apply a delivery status change; False when the order is unknown, the event was applied,
        or it is older than the status the order has (events may arrive out of order)."""
        with self.writing(order_id):
            doc = self.find(order_id)
            if doc is None or event_id in doc["applied"] or version <= doc.get("status_version", 1):
                return False
            self.update(doc, {"status": status, "status_version": version,
                              "applied": [*doc["applied"], event_id][-APPLIED_KEPT:]})
        return True
