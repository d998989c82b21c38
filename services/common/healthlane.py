"""`GET /health` answered outside a service's work queue.

waitress hands every request to one pool of threads (8 here). When all of them are busy with
long requests (16 speech requests for tts), a health probe waits in the same queue behind them,
times out, and the platform's watchdog would take a busy service for a hung one and restart it
in a loop. This dispatcher sends a connection whose next request is `GET`/`HEAD /health` (or
`/health/live`) to a lane of its own (one thread), so a probe is answered while the work pool is
full, and still goes through the app (its checks: background workers alive). A service that really hangs
(deadlock, SIGSTOP) does not answer on the lane either.

It relies on waitress's `create_server(_dispatcher=)`, `ThreadedTaskDispatcher` and a channel's
`requests[0].command/.path`: setup.cfg caps waitress below its next major release, and
tests/unit/test_upstream_waitress.py fails with "upstream changed" if those move.
"""

from __future__ import annotations

from waitress.task import ThreadedTaskDispatcher

HEALTH_PATHS = frozenset({"/health", "/health/live"})  # readiness and liveness (health.py)


class HealthLaneDispatcher(ThreadedTaskDispatcher):
    def __init__(self, threads: int, lane_threads: int = 1):
        super().__init__()
        self.lane = ThreadedTaskDispatcher()
        self.lane.set_thread_count(lane_threads)
        self.set_thread_count(threads)

    def add_task(self, task) -> None:
        # Called in the server's loop with the channel's requests_lock held, so it must never raise;
        # requests[0] is the request to serve next. A request that failed to parse has no
        # command or path (only `error`): it goes to the work pool, which answers the 400.
        requests = getattr(task, "requests", None)
        request = requests[0] if requests else None
        if getattr(request, "error", None) is None and getattr(request, "command", None) in ("GET", "HEAD") \
                and getattr(request, "path", None) in HEALTH_PATHS:
            self.lane.add_task(task)
        else:
            super().add_task(task)

    def shutdown(self, cancel_pending: bool = True, timeout: float = 5) -> bool:
        self.lane.shutdown(cancel_pending, timeout)
        return super().shutdown(cancel_pending, timeout)
