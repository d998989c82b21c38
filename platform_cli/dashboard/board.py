"""The orders board: orders in columns by delivery status, as the signed-in user may see them.

Staff see every order (the delivery service's lists by status); a customer sees their own
(the orders service's list of theirs), which the gateway enforces whatever we ask.
"""

from __future__ import annotations

from platform_cli.dashboard.gateway import gateway

# The delivery statuses in board order (services/common/statuses.py owns them; the dashboard
# cannot import services, and a column it does not know would only be empty).
STATUSES = ("received", "brewing", "delivering", "delivered", "cancelled")
LIMIT = 100
FIELDS = ("order_id", "user_id", "coffee_name", "coffee_qty", "status", "status_label", "ordered_at")


def load_board(user: dict) -> list[dict]:
    client = gateway(user["token"])
    if user["role"] == "staff":
        found = {s: client.get("delivery-ms", s, query={"limit": LIMIT})["orders"] for s in STATUSES}
    else:
        mine = client.get("order-ms", user["user_id"], "orders", query={"limit": LIMIT})["orders"]
        found = {s: [o for o in mine if o.get("status") == s] for s in STATUSES}
    return [{"status": s, "orders": [{k: o.get(k) for k in FIELDS} for o in found[s]]} for s in STATUSES]
