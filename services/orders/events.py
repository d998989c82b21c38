"""The orders service's streams: it publishes events:orders and consumes events:delivery."""

from __future__ import annotations

from services.common.streams import Consumer, Publisher, connect
from services.orders.handlers import handle_delivery_event

PUBLISHES = "events:orders"
CONSUMES = "events:delivery"
GROUP = "orders"


def make_workers(app):
    store = app.extensions["orders.store"]
    client = connect(app.config["REDIS_URL"])
    publisher = Publisher(client, PUBLISHES, store, log=app.logger.warning)
    store.on_event = publisher.wakeup.set
    consumer = Consumer(client, CONSUMES, GROUP, lambda event: handle_delivery_event(store, event), log=app.logger.warning)
    return [publisher.run, consumer.run]
