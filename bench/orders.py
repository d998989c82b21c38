"""Orders benchmark: create cost as the store grows, beside stock TinyDB, and create -> delivery.

1. Storage: p50/p99 of one create with 100, 1,000 and 10,000 orders stored, for the orders store
   (TableFilesStorage, fsynced) and for stock TinyDB JSONStorage (one table, as TinyDB is used
   out of the box), in the same run.
2. HTTP: the orders and delivery services under `platform up` (redis too), on free ports:
   create p50/p99 with 1 client and orders per second with 8 concurrent clients, at each size;
   then create -> visible in delivery (poll every 2 ms), p50/p99.

    .venv/bin/python bench/orders.py [--samples 200]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from services.orders.storage import OrderStore  # noqa: E402
from bench.load import LoadError, run_concurrently  # noqa: E402
from tests.helpers import free_port  # noqa: E402

SIZES = (100, 1_000, 10_000)


def make_order(user: str = "bench") -> tuple[dict, dict]:
    order = {"order_id": str(uuid.uuid4()), "user_id": user, "coffee_name": "today's coffee", "coffee_price": 5000,
             "coffee_qty": 3, "total": 15000, "status": "received", "ordered_at": "2026-01-01T00:00:00.000000Z"}
    return order, {"type": "order.created", "id": str(uuid.uuid4()), "ts": order["ordered_at"], "data": order}


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.99) - 1] * 1000


def storage_rows(tmp: Path, samples: int) -> list[str]:
    from tinydb import TinyDB
    from tinydb.storages import JSONStorage

    rows = []
    ours_dir, stock_path = tmp / "ours", tmp / "stock.json"
    store = OrderStore(ours_dir)
    stock_docs: dict[str, dict] = {}
    for size in SIZES:
        while len(store.list("bench", 1, 0)[0]) == 0 or store.list("bench", 1, 0)[1] < size:
            store.create(*make_order())
        # Stock TinyDB: fill its file in one go (inserting 10,000 one by one takes minutes), then time inserts.
        while len(stock_docs) < size:
            order, _ = make_order()
            stock_docs[str(len(stock_docs) + 1)] = order
        stock_path.write_text(json.dumps({"_default": stock_docs}))
        stock = TinyDB(stock_path, storage=JSONStorage)
        ours_t, stock_t = [], []
        for _ in range(samples):
            order, event = make_order()
            start = time.perf_counter()
            store.create(order, event)
            ours_t.append(time.perf_counter() - start)
            start = time.perf_counter()
            stock.insert(make_order()[0])
            stock_t.append(time.perf_counter() - start)
        stock.close()
        stock_docs = json.loads(stock_path.read_text())["_default"]
        (o50, o99), (s50, s99) = percentiles(ours_t), percentiles(stock_t)
        rows.append(f"| {size:,} | {o50:.2f} / {o99:.2f} ms | {s50:.2f} / {s99:.2f} ms | {s50 / o50:.1f}x |")
    return rows


class Api:
    def __init__(self, port: int):
        self.port = port

    def call(self, method: str, path: str, body=None) -> tuple[int, dict]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request(method, path, body=json.dumps(body) if body is not None else None, headers={"Content-Type": "application/json"})
            response = conn.getresponse()
            return response.status, json.loads(response.read() or b"{}")
        finally:
            conn.close()


def http_rows(tmp: Path, samples: int) -> tuple[list[str], str]:
    root = tmp / "project"
    root.mkdir()
    ports = {n: free_port() for n in ("redis", "orders", "delivery")}
    (root / "Procfile").write_text("redis: python -m services.redis\norders: python -m services.orders\ndelivery: python -m services.delivery\n")
    (root / "platform.toml").write_text(
        f'[redis]\nprobe = "redis"\nport = {ports["redis"]}\n'
        f'[orders]\nprobe = "http:/health"\nport = {ports["orders"]}\ndepends_on = ["redis"]\n'
        f'[delivery]\nprobe = "http:/health"\nport = {ports["delivery"]}\ndepends_on = ["redis"]\n'
    )
    platform = [str(Path(sys.executable).parent / "platform")]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLATFORM_")}
    subprocess.run(platform + ["up"], cwd=root, env=env, check=True, stdout=subprocess.DEVNULL)
    orders, delivery = Api(ports["orders"]), Api(ports["delivery"])
    body = {"coffee_name": "today's coffee", "coffee_price": "5000", "coffee_qty": "3"}
    rows, stored = [], 0
    try:
        for size in SIZES:
            while stored < size:  # fill through the service itself, with 8 clients
                fill = min(size - stored, 2000)
                run_concurrently(lambda i: orders.call("POST", "/order-ms/fill/orders", body)[0], fill, 8)
                stored += fill
            latencies = []
            for _ in range(samples):
                start = time.perf_counter()
                status, _ = orders.call("POST", "/order-ms/bench/orders", body)
                latencies.append(time.perf_counter() - start)
                if status != 201:
                    raise LoadError(f"a create answered HTTP {status}; this run gives no figure")
            stored += samples
            rate, _ = run_concurrently(lambda i: orders.call("POST", "/order-ms/bench/orders", body)[0], 400, 8)
            stored += 400
            p50, p99 = percentiles(latencies)
            rows.append(f"| {size:,} | {p50:.2f} / {p99:.2f} ms | {rate:,.0f} |")
        visible = []
        for _ in range(100):
            start = time.perf_counter()
            _, order = orders.call("POST", "/order-ms/seen/orders", body)
            while delivery.call("GET", f"/delivery-ms/seen/{order['order_id']}")[0] != 200:
                time.sleep(0.002)
            visible.append(time.perf_counter() - start)
        v50, v99 = percentiles(visible)
        return rows, f"create -> visible in delivery (100 orders, poll every 2 ms): p50 {v50:.1f} ms, p99 {v99:.1f} ms"
    finally:
        subprocess.run(platform + ["down"], cwd=root, env=env, stdout=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="platform-ordersbench-") as tmp:
        storage = storage_rows(Path(tmp), args.samples)
        http_table, visible = http_rows(Path(tmp), args.samples)
    print("| orders stored | orders store create p50 / p99 | stock TinyDB JSONStorage p50 / p99 | stock / ours at p50 |")
    print("|---|---|---|---|")
    print("\n".join(storage))
    print()
    print("| orders stored | HTTP create p50 / p99 (1 client) | orders/s (8 clients) |")
    print("|---|---|---|")
    print("\n".join(http_table))
    print()
    print(visible)
    print(f"command: {' '.join(shlex.quote(a) for a in [sys.executable, *sys.argv])}")


if __name__ == "__main__":
    main()
