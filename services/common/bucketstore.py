"""A TinyDB store of documents spread over bucket tables, each document with its own outbox.

Each document lives in one of BUCKETS tables (by the first two hex digits of its uuid), each a
file of its own (TableFilesStorage): a write rewrites one small file however large the store
grows. Events describing a change are kept in the changed document's `outbox` list, so the
change and its events are one atomic write; the publisher sends them when Redis can take them
and then removes them. One process owns a store; its threads take turns under one lock.
"""

from __future__ import annotations

import threading
from pathlib import Path

from tinydb import Query, TinyDB

from services.common.atomicfile import remove_leftovers
from services.common.tablefiles import TableFilesStorage

BUCKETS = 256  # ~40 documents a table at 10,000 orders: a write stays a few KB


class BucketStore:
    prefix = "docs"  # table names: <prefix>-00 ... <prefix>-ff
    key = "id"  # the uuid field that places a document in its bucket

    def __init__(self, directory: Path, on_event=lambda: None):
        self.db = TinyDB(directory, storage=TableFilesStorage)
        remove_leftovers(Path(directory))  # this process owns the store: no write of its own is under way
        self.on_event = on_event  # told when an event waits in an outbox
        self.lock = threading.RLock()
        self._outbox: dict[str, str] = {}  # event id -> key of the document holding it
        for name in self.db.tables():
            for doc in self.db.table(name).all():
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
        with self.lock:
            doc = self.find(key)
        return public(doc) if doc and doc["user_id"] == user_id else None

    # -- the outbox (services.common.streams.Outbox) ---------------------------------------------

    def pending_events(self) -> list[dict]:
        with self.lock:
            found = []
            for key in set(self._outbox.values()):
                doc = self.find(key)
                found.extend(doc.get("outbox", []) if doc else [])
        return sorted(found, key=lambda e: e["ts"])

    def mark_published(self, event_id: str) -> None:
        with self.lock:
            key = self._outbox.get(event_id)
            doc = self.find(key) if key else None
            if doc:
                outbox = [e for e in doc.get("outbox", []) if e["id"] != event_id]
                self._write(lambda: self._bucket(key).update({"outbox": outbox}, doc_ids=[doc.doc_id]))
            self._outbox.pop(event_id, None)  # only once it is off the disk too: a failed write is retried

    # -- internals -------------------------------------------------------------------------------

    def _bucket(self, key: str):
        try:
            bucket = int(key[:2], 16) % BUCKETS
        except ValueError:
            raise KeyError(f"not a uuid key: {key!r}") from None
        return self.db.table(f"{self.prefix}-{bucket:02x}")

    def _track(self, doc: dict, events) -> None:
        self.index(doc)
        for event in events:
            self._outbox[event["id"]] = doc[self.key]


def public(doc, hidden=("outbox", "applied", "status_version")) -> dict:
    return {k: v for k, v in doc.items() if k not in hidden}
