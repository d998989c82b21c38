"""orders: coffee orders stored in TinyDB, every change published on events:orders."""

from __future__ import annotations

from pathlib import Path

from services.common.app import make_app


def create_app(config: dict | None = None):
    """The orders app. config: DATA_DIR, REDIS_URL (defaults from the environment platform sets)."""
    from services.orders import api
    from services.orders.storage import OrderStore

    return make_app("orders", config, lambda app: OrderStore(Path(app.config["DATA_DIR"]) / "orders"), api.bp)
