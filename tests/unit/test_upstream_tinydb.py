"""What services/common/tablefiles.py relies on in TinyDB, checked against the installed TinyDB.

The storage is TinyDB's public extension point (a Storage subclass), but TinyDB hands a storage
the whole database on every write; to rewrite only the tables that changed, TableFilesStorage
counts on `Table._update_table` putting a new dict in place of the table it changed and leaving
every other table object as read. No public API says which table a write changed, so setup.cfg
caps TinyDB below its next minor release and this test says "upstream changed" when that moves.
"""

from __future__ import annotations

from tinydb import TinyDB, where
from tinydb.storages import Storage
from tinydb.table import Table

from tests.unit.upstream import expect, expect_signature

NAME = "tinydb.table.Table._update_table"


class RecordingStorage(Storage):
    """Keeps the database in memory as TableFilesStorage does (a fresh outer dict per read)."""

    def __init__(self):
        self.tables: dict = {}
        self.writes: list[dict] = []

    def read(self):
        return dict(self.tables)

    def write(self, data):
        self.writes.append(data)
        self.tables = dict(data)


def test_update_table_replaces_only_the_table_it_changed():
    expect_signature(NAME, getattr(Table, "_update_table", None),
                     "(self, updater: collections.abc.Callable[[dict[int, collections.abc.Mapping]], None])")
    db = TinyDB(storage=RecordingStorage)
    storage = db.storage
    db.table("a").insert({"n": 1})
    db.table("b").insert({"n": 2})
    for change in (lambda: db.table("a").insert({"n": 3}),
                   lambda: db.table("a").update({"n": 4}, where("n") == 1),
                   lambda: db.table("a").remove(where("n") == 4),
                   lambda: db.table("a").truncate()):
        before = storage.tables
        old_a = dict(before["a"])
        change()
        written = storage.writes[-1]
        expect(NAME, written["b"] is before["b"], "a write to table a handed the storage a new object for table b")
        expect(NAME, written["a"] is not before["a"], "a write to table a handed the storage table a's old object")
        expect(NAME, before["a"] == old_a, "the old object of table a was changed in place")


def test_dropping_a_table_writes_the_database_without_it():
    db = TinyDB(storage=RecordingStorage)
    db.table("a").insert({"n": 1})
    db.table("b").insert({"n": 2})
    kept = db.storage.tables["b"]
    db.drop_table("a")
    written = db.storage.writes[-1]
    expect("tinydb.TinyDB.drop_table", set(written) == {"b"} and written["b"] is kept,
           f"drop_table wrote tables {sorted(written)}, not just the others, untouched")
