"""What the tests of the original documents' habits share (trailing slashes, Korean statuses):
an order as events:orders brings it, and the real services behind the gateway as processes."""

from __future__ import annotations

import contextlib
import http.client
import uuid

from services.delivery.handlers import handle_order_event
from tests.helpers import free_port
from tests.service.fuzz_stack import Stack, call

ORDER = {"coffee_name": "latte", "coffee_price": "4000", "coffee_qty": "1"}  # numbers as strings, as the documents send them


def received(app, user: str = "alice") -> str:
    """A new order of the user's in the delivery app, as events:orders brings it; its id."""
    order = {"order_id": str(uuid.uuid4()), "user_id": user, "coffee_name": "latte", "coffee_price": 4000, "coffee_qty": 1,
             "total": 4000, "status": "received", "ordered_at": "2026-01-01T00:00:00.000000Z"}
    handle_order_event(app.extensions["delivery.store"], {"type": "order.created", "id": str(uuid.uuid4()),
                                                          "ts": order["ordered_at"], "data": order})
    return order["order_id"]


@contextlib.contextmanager
def running_stack(root, redis_url: str):
    """orders, delivery, tts and the gateway as processes, with a customer, another and staff signed
    in. Stack sets TTS_ENGINE=espeak; gTTS, never used, points at a closed local port."""
    stack = Stack(root, redis_url, f"http://127.0.0.1:{free_port()}")
    try:
        stack.start()
        stack.set_stage()
        yield stack
    finally:
        stack.stop()


def via(stack, who: str, method: str, path: str, body=None) -> tuple[int, dict]:
    """A JSON request through the gateway as `who` (customer, other, staff)."""
    return call(stack.port, method, path, body, stack.users[who]["token"])


def raw_get(stack, who: str, path: str) -> tuple[int, str, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", stack.port, timeout=30)
    try:
        conn.request("GET", path, headers={"Authorization": f"Bearer {stack.users[who]['token']}"})
        response = conn.getresponse()
        return response.status, response.getheader("Content-Type"), response.read()
    finally:
        conn.close()
