"""The orders store under SIGKILL: what was acknowledged is on disk, and every file opens."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import uuid

from services.orders.storage import OrderStore

WRITER = """
import sys, uuid
from pathlib import Path
from services.orders.storage import OrderStore
store = OrderStore(Path(sys.argv[1]))
while True:
    oid = str(uuid.uuid4())
    order = {"order_id": oid, "user_id": "u", "coffee_name": "c" * 200, "coffee_price": 1, "coffee_qty": 1,
             "total": 1, "status": "received", "ordered_at": "2026-01-01T00:00:00.000000Z"}
    store.create(order, {"type": "order.created", "id": str(uuid.uuid4()), "ts": order["ordered_at"], "data": order})
    print(oid, flush=True)  # the acknowledgement: printed only once create() has returned
"""


def test_sigkill_at_random_moments_never_loses_an_acknowledged_order_or_breaks_a_file(tmp_path):
    acked: list[str] = []
    rng = random.Random(7)
    for _ in range(8):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path)], stdout=subprocess.PIPE, text=True,
                                cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
        for _ in range(rng.randint(5, 60)):
            acked.append(proc.stdout.readline().strip())
        proc.send_signal(signal.SIGKILL)  # mid-write, as often as not
        proc.wait(10)
        acked += [line.strip() for line in proc.stdout.read().splitlines() if line.strip()]
        store = OrderStore(tmp_path)  # raises if any table file is half-written
        missing = [oid for oid in acked if store.get("u", oid) is None]
        assert not missing, f"{len(missing)} acknowledged orders lost"
    # Every order is there once, with its event still waiting in the outbox (nobody published).
    page, total = OrderStore(tmp_path).list("u", 100, 0)
    assert total >= len(acked) and len({e["data"]["order_id"] for e in OrderStore(tmp_path).pending_events()}) == total
    assert all(uuid.UUID(o["order_id"]) for o in page)
