"""Fair shares of the expensive work: speech.

A speech request holds a gateway thread for as long as tts synthesises (up to GATEWAY_TIMEOUT).
Unbounded, one account sending 16 at once would hold every thread, and every other account's
request, /health included, would queue behind them. So:
- one account has at most `per_account` speech requests in flight; another is a 429 with
  Retry-After at once (the account's own doing: it should wait for its answers);
- all accounts together have at most `total` in flight, fewer than the gateway's threads, so
  threads are always left for everything else; past it, a 503 with Retry-After at once (load
  shed, not queued: a queue would only make every request slow).
"""

from __future__ import annotations

import threading
from collections import Counter
from contextlib import contextmanager

from services.common.errors import ApiError

RETRY_AFTER_S = 1


class SpeechGate:
    def __init__(self, per_account: int, total: int):
        self.per_account, self.total = per_account, total
        self._lock = threading.Lock()
        self._in_flight: Counter = Counter()

    @contextmanager
    def admit(self, account: str):
        with self._lock:
            if self._in_flight[account] >= self.per_account:
                raise ApiError(429, "too_many_requests", f"{self.per_account} speech requests of yours are in progress: "
                               "wait for their answers", headers={"Retry-After": str(RETRY_AFTER_S)})
            if sum(self._in_flight.values()) >= self.total:
                raise ApiError(503, "busy", "speech is at capacity: try again shortly",
                               headers={"Retry-After": str(RETRY_AFTER_S)})
            self._in_flight[account] += 1
        try:
            yield
        finally:
            with self._lock:
                self._in_flight[account] -= 1
                if not self._in_flight[account]:
                    del self._in_flight[account]
