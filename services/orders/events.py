"""The orders service's streams: it publishes events:orders and consumes events:delivery."""

from __future__ import annotations

from services.common import streams
from services.orders.handlers import handle_delivery_event

PUBLISHES = "events:orders"
CONSUMES = "events:delivery"
GROUP = "orders"


def make_workers(app):
    return streams.make_workers(app, app.extensions["orders.store"], PUBLISHES, CONSUMES, GROUP, handle_delivery_event)
