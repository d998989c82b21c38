"""A store written by several processes at once (instances of one service): nothing lost, nothing
twice, and each process's reads and indexes see the others' writes."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

from services.delivery.storage import DeliveryStore
from services.orders.storage import OrderStore

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))

WRITER = """
import sys, uuid
from pathlib import Path
from services.orders.storage import OrderStore
store = OrderStore(Path(sys.argv[1]))
for i in range(int(sys.argv[2])):
    # Few distinct leading digits: the processes keep landing in the same buckets.
    oid = "0" + str(i % 3) + str(uuid.uuid4())[2:]
    order = {"order_id": oid, "user_id": "u", "coffee_name": "c", "coffee_price": 1, "coffee_qty": 1,
             "total": 1, "status": "received", "ordered_at": "2026-01-01T00:00:%02d.%06dZ" % (i % 60, i)}
    store.create(order, {"type": "order.created", "id": str(uuid.uuid4()), "ts": order["ordered_at"], "data": order})
    print(oid, flush=True)
"""

RECEIVER = """
import sys
from pathlib import Path
from services.delivery.storage import DeliveryStore
store = DeliveryStore(Path(sys.argv[1]))
took = 0
for oid in sys.argv[2:]:
    order = {"order_id": oid, "user_id": "u", "coffee_name": "c", "coffee_qty": 1}
    took += store.receive(order, "event-" + oid, "2026-01-01T00:00:00Z")
print(took, flush=True)
"""


def run_all(script: str, argvs: list[list[str]]) -> list[str]:
    procs = [subprocess.Popen([sys.executable, "-c", script, *argv], stdout=subprocess.PIPE, text=True, cwd=ROOT)
             for argv in argvs]
    outs = [p.communicate(timeout=120)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs)
    return outs


def test_three_processes_creating_orders_in_the_same_buckets_lose_none(tmp_path):
    outs = run_all(WRITER, [[str(tmp_path), "150"]] * 3)
    acked = [line for out in outs for line in out.split()]
    assert len(acked) == 450
    store = OrderStore(tmp_path)
    found, total = store.list("u", 1000, 0)
    assert total == 450 and sorted(o["order_id"] for o in found) == sorted(acked)
    assert len(store.pending_events()) == 450  # every order's event, once


def test_an_order_received_by_two_processes_at_once_is_stored_once(tmp_path):
    oids = [f"{i % 4:02x}" + str(uuid.uuid4())[2:] for i in range(100)]
    outs = run_all(RECEIVER, [[str(tmp_path), *oids]] * 2)
    assert sum(int(out) for out in outs) == 100  # each taken by exactly one of the two
    assert DeliveryStore(tmp_path).by_status("received", 1000, 0)[1] == 100


def test_a_running_store_sees_what_another_process_wrote(tmp_path):
    mine = OrderStore(tmp_path)
    assert mine.list("u", 10, 0)[1] == 0
    outs = run_all(WRITER, [[str(tmp_path), "20"]])
    theirs = outs[0].split()
    page, total = mine.list("u", 100, 0)
    assert total == 20 and {o["order_id"] for o in page} == set(theirs)
    assert mine.get("u", theirs[0])["order_id"] == theirs[0]
    assert len(mine.pending_events()) == 20  # an instance that died leaves its events to the others
    for event in mine.pending_events():
        mine.mark_published(event["id"])
    assert OrderStore(tmp_path).pending_events() == []
