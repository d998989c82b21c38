"""Concurrent load for the benchmarks: `count` calls from `clients` threads.

Any failed call (an exception, or a status other than 200/201) fails the whole run with
LoadError: a benchmark that counted failures as served calls would report a throughput that
was never delivered. (It used to `assert` inside the worker threads, which only ended the one
thread, printed a traceback and let the others finish: the failed calls were still divided by
the elapsed time.)
"""

from __future__ import annotations

import threading
import time


class LoadError(RuntimeError):
    """Some calls of a load run failed: the run gives no figure."""


def run_concurrently(call, count: int, clients: int) -> tuple[float, list[float]]:
    """Make `count` calls (call(i) -> HTTP status) from `clients` threads; returns calls per
    second and each call's latency in seconds. The first failed call stops every worker and the
    run raises LoadError naming it."""
    latencies: list[float] = []
    errors: list[str] = []
    left = iter(range(count))
    lock = threading.Lock()
    failed = threading.Event()

    def worker():
        while not failed.is_set():
            with lock:
                i = next(left, None)
            if i is None:
                return
            start = time.perf_counter()
            try:
                status = call(i)
            except Exception as exc:  # whatever it was, the call was not served
                errors.append(f"call {i}: {type(exc).__name__}: {exc}")
                failed.set()
                return
            if status not in (200, 201):
                errors.append(f"call {i}: HTTP {status}")
                failed.set()
                return
            latencies.append(time.perf_counter() - start)

    threads = [threading.Thread(target=worker, name=f"load-{n}") for n in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    if errors or len(latencies) != count:
        raise LoadError(f"{len(errors)} call(s) failed, {len(latencies)} of {count} served; first: "
                        f"{errors[0] if errors else 'none recorded'}; this run gives no figure")
    return count / elapsed, latencies
