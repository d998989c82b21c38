"""Concurrent load for the benchmarks: `count` calls from `clients` threads."""

from __future__ import annotations

import threading
import time


def run_concurrently(call, count: int, clients: int) -> tuple[float, list[float]]:
    """Make `count` calls (call(i) -> HTTP status) from `clients` threads; returns calls per
    second and each call's latency in seconds. A status other than 200/201 stops the benchmark."""
    latencies: list[float] = []
    left = iter(range(count))
    lock = threading.Lock()

    def worker():
        while True:
            with lock:
                i = next(left, None)
            if i is None:
                return
            start = time.perf_counter()
            status = call(i)
            assert status in (200, 201), status
            latencies.append(time.perf_counter() - start)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return count / (time.perf_counter() - start), latencies
