"""The delivery service's streams: it consumes events:orders and publishes events:delivery."""

from __future__ import annotations

from services.common import streams
from services.delivery.handlers import handle_order_event

PUBLISHES = "events:delivery"
CONSUMES = "events:orders"
GROUP = "delivery"


def make_workers(app):
    return streams.make_workers(app, app.extensions["delivery.store"], PUBLISHES, CONSUMES, GROUP, handle_order_event)
