"""The delivery service's streams: it consumes events:orders and publishes events:delivery."""

from __future__ import annotations

from services.common.streams import Consumer, Publisher, connect
from services.delivery.handlers import handle_order_event

PUBLISHES = "events:delivery"
CONSUMES = "events:orders"
GROUP = "delivery"


def make_workers(app):
    store = app.extensions["delivery.store"]
    client = connect(app.config["REDIS_URL"])
    publisher = Publisher(client, PUBLISHES, store, log=app.logger.warning)
    store.on_event = publisher.wakeup.set
    consumer = Consumer(client, CONSUMES, GROUP, lambda event: handle_order_event(store, event), log=app.logger.warning)
    return [publisher.run, consumer.run]
