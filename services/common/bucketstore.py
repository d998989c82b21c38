"""A TinyDB store of documents spread over bucket tables, each document with its own outbox.

Each document lives in one of BUCKETS tables (by the first two hex digits of its uuid), each a
file of its own (TableFilesStorage): a write rewrites one small file however large the store
grows. Events describing a change are kept in the changed document's `outbox` list, so the
change and its events are one atomic write; the publisher sends them when Redis can take them
and then removes them.

Several processes may write one store (instances of a service, and an old and a new instance
overlapping during a reload). Every change is a read-check-write of one document, so it runs in
`writing(key)`: the process's thread lock, then an flock on that bucket's lock file
(`<table>.lock`, held by the kernel for the holder only, released even by a SIGKILL), then the
bucket read again from its file; two processes changing one bucket take turns, and each sees
the other's last write. Readers take no flock (a write replaces a file whole by rename, so a
reader sees the old file or the new one) but first read again the buckets another process
replaced (`reading()`: a stat per bucket file), which keeps the in-memory indexes current.
Why not one writer with the others forwarding to it: that writer would be a single point of
failure during the very reload that must not fail, and a forwarded write is one more hop that
can be lost; an flock per bucket file keeps writes to different buckets in parallel.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from pathlib import Path

from tinydb import Query, TinyDB

from services.common.atomicfile import remove_leftovers_named
from services.common.tablefiles import TableFilesStorage

BUCKETS = 256  # ~40 documents a table at 10,000 orders: a write stays a few KB


class BucketStore:
    prefix = "docs"  # table names: <prefix>-00 ... <prefix>-ff
    key = "id"  # the uuid field that places a document in its bucket

    def __init__(self, directory: Path, on_event=lambda: None):
        self.db = TinyDB(directory, storage=TableFilesStorage)
        self.dir = Path(directory)
        self.on_event = on_event  # told when an event waits in an outbox
        self.lock = threading.RLock()
        self._outbox: dict[str, str] = {}  # event id -> key of the document holding it
        self._locks: dict[str, int] = {}  # table -> the fd of its lock file, opened once
        for leftover in self.dir.glob("*.tmp"):  # a write a SIGKILL cut short; removed under its bucket's flock
            with self._flock(leftover.name.split(".", 1)[0]):
                remove_leftovers_named(leftover)
        for name in self.db.tables():
            for doc in self.db.table(name).all():
                self.index(doc)
                for event in doc.get("outbox", []):
                    self._outbox[event["id"]] = doc[self.key]

    # -- several processes -------------------------------------------------------------------------

    @contextlib.contextmanager
    def writing(self, key: str):
        """For a read-check-write of the document `key`: no other thread or process changes its
        bucket meanwhile, and what is read is what the last writer, in any process, wrote."""
        name = self._bucket_name(key)
        with self.lock, self._flock(name):
            self._refresh(name)
            yield

    @contextlib.contextmanager
    def reading(self):
        """For reads: the thread lock, with every bucket another process replaced read again."""
        with self.lock:
            for name in self.db.storage.changed_on_disk():
                self._refresh(name)
            yield

    @contextlib.contextmanager
    def _flock(self, name: str):
        fd = self._locks.get(name)
        if fd is None:
            # Read-only: flock needs no more, and a file open for writing would keep the disk from
            # being remounted read-only (and is one more thing a full disk could refuse).
            fd = self._locks[name] = os.open(self.dir / f"{name}.lock", os.O_RDONLY | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)

    def _refresh(self, name: str) -> None:
        """Read table `name` again from its file, and bring the indexes and the outbox up to it."""
        storage = self.db.storage
        old = storage.read().get(name) or {}
        new = storage.reload(name) or {}
        table = self.db.table(name)
        table._next_id = None  # TinyDB counts ids from what it read last (tests/unit/test_upstream_tinydb.py)
        table.clear_cache()
        for doc_id, doc in new.items():
            before = old.get(doc_id)
            if before == doc:
                continue
            if before is not None:
                self.unindex(before)
                for event in before.get("outbox", []):
                    self._outbox.pop(event["id"], None)
            self.index(doc)
            for event in doc.get("outbox", []):
                self._outbox[event["id"]] = doc[self.key]

    # -- for subclasses, under self.lock ---------------------------------------------------------

    def index(self, doc: dict) -> None:
        """Keep in-memory indexes current; called for every document at open and on each write."""

    def unindex(self, doc: dict) -> None:
        """Forget a document's old values before it changes."""

    def find(self, key: str):
        return self._bucket(key).get(Query()[self.key] == key)

    def insert(self, doc: dict, events: list[dict] = ()) -> None:
        doc = {**doc, "outbox": list(events)}
        self._write(lambda: self._bucket(doc[self.key]).insert(doc))
        self._track(doc, events)

    def update(self, doc, fields: dict, events: list[dict] = ()) -> dict:
        updated = {**doc, **fields, "outbox": [*doc.get("outbox", []), *events]}
        self._write(lambda: self._bucket(doc[self.key]).update({**fields, "outbox": updated["outbox"]}, doc_ids=[doc.doc_id]))
        self.unindex(doc)  # only once the change is on disk
        self._track(updated, events)
        return updated

    def _write(self, operation) -> None:
        try:
            operation()
        except OSError:
            # TinyDB changed its documents in memory before the write failed: forget them, so the
            # next read is what is on disk.
            self.db.storage.forget()
            self.db.clear_cache()
            raise

    def get(self, user_id: str, key: str) -> dict | None:
        """The user's document, as clients see it; None when there is none, or it is another's."""
        with self.reading():
            doc = self.find(key)
        return public(doc) if doc and doc["user_id"] == user_id else None

    # -- the outbox (services.common.streams.Outbox) ---------------------------------------------

    def pending_events(self) -> list[dict]:
        with self.reading():
            found = []
            for key in set(self._outbox.values()):
                doc = self.find(key)
                found.extend(doc.get("outbox", []) if doc else [])
        return sorted(found, key=lambda e: e["ts"])

    def mark_published(self, event_id: str) -> None:
        with self.lock:
            key = self._outbox.get(event_id)
            if key is None:
                return
            with self.writing(key):
                doc = self.find(key)
                if doc and any(e["id"] == event_id for e in doc.get("outbox", [])):  # another instance may have sent it
                    outbox = [e for e in doc.get("outbox", []) if e["id"] != event_id]
                    self._write(lambda: self._bucket(key).update({"outbox": outbox}, doc_ids=[doc.doc_id]))
            self._outbox.pop(event_id, None)  # only once it is off the disk too: a failed write is retried

    # -- internals -------------------------------------------------------------------------------

    def _bucket(self, key: str):
        return self.db.table(self._bucket_name(key))

    def _bucket_name(self, key: str) -> str:
        try:
            bucket = int(key[:2], 16) % BUCKETS
        except ValueError:
            raise KeyError(f"not a uuid key: {key!r}") from None
        return f"{self.prefix}-{bucket:02x}"

    def _track(self, doc: dict, events) -> None:
        self.index(doc)
        for event in events:
            self._outbox[event["id"]] = doc[self.key]


def public(doc, hidden=("outbox", "applied", "status_version")) -> dict:
    return {k: v for k, v in doc.items() if k not in hidden}
