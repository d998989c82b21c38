"""When the orders board may have changed: the services' event streams, watched from one thread.

Polling the gateway for the board every second would be five requests a second per open page,
filling the gateway's log with the dashboard's own reads. Instead one thread per dashboard
blocks on XREAD over events:orders and events:delivery (the streams the services publish every
change on) and bumps a counter; a page's feed reloads the board when the counter moves. Delivery
files a new order without an event of its own, a moment after order.created, so a change is
also looked at again shortly after (AFTER_S). While Redis cannot be read, the counter moves
every RETRY_S: the board is then polled, slowly, rather than frozen.
"""

from __future__ import annotations

import threading
import time

STREAMS = ("events:orders", "events:delivery")
BLOCK_MS = 5000
RETRY_S = 3.0
AFTER_S = (1.0, 3.0)  # look again after a change: delivery's copy of a new order lags its event


class BoardChanges:
    def __init__(self, redis_url: str | None):
        self.redis_url = redis_url
        self.version = 0
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start watching, once (on the first page's feed, never at import)."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._watch, name="board-changes", daemon=True)
                self._thread.start()

    def _bump(self) -> None:
        with self._lock:
            self.version += 1

    def _watch(self) -> None:
        import redis

        last: dict[str, bytes | str] = {}
        while True:
            if not self.redis_url:
                time.sleep(RETRY_S)
                self._bump()
                continue
            try:
                client = redis.Redis.from_url(self.redis_url, socket_timeout=BLOCK_MS / 1000 + 5)
                for name in STREAMS:  # from each stream's newest entry ("$" would skip one added between two reads)
                    if name not in last:
                        newest = client.xrevrange(name, count=1)
                        last[name] = newest[0][0] if newest else "0-0"
                while True:
                    for name, entries in client.xread(last, block=BLOCK_MS) or []:
                        last[name.decode() if isinstance(name, bytes) else name] = entries[-1][0]
                        self._bump()
            except redis.RedisError:
                time.sleep(RETRY_S)
                self._bump()


class BoardClock:
    """For one page: is the board due for a reload now? On a change, and at AFTER_S after it."""

    def __init__(self, changes: BoardChanges, now: float):
        self.changes, self.seen, self.due = changes, None, [now]

    def due_now(self, now: float) -> bool:
        if self.changes.version != self.seen:
            self.seen = self.changes.version
            self.due = [now, *(now + s for s in AFTER_S)]
        if self.due and self.due[0] <= now:
            self.due = [t for t in self.due if t > now]
            return True
        return False
