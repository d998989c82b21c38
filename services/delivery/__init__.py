"""delivery: keeps its own copy of every order from events:orders and tracks its delivery status."""

from __future__ import annotations

from pathlib import Path

from services.common.app import make_app


def create_app(config: dict | None = None):
    """The delivery app. config: DATA_DIR, REDIS_URL (defaults from the environment platform sets)."""
    from services.delivery import api
    from services.delivery.storage import DeliveryStore

    return make_app("delivery", config, lambda app: DeliveryStore(Path(app.config["DATA_DIR"]) / "delivery"), api.bp)
