"""The audio cache: MP3 files under data/tts, their index and recency in Redis.

Redis holds `tts:entry:<id>` (a hash of the entry's metadata), `tts:lru` (ids scored by last
use), `tts:bytes` (the files' total size), per account that made renderings (through the
gateway) `tts:owned:<owner>` (their ids by age) and `tts:owned_bytes:<owner>` (so one account
fills at most its share, TTS_OWNER_SHARE of the cache, and then pushes out only its own), and
`tts:name:[<owner>:]<name>` (the old API's names, per account). A file is
written before its entry, and an evicted entry goes before its file, so an entry never points at
a missing file; one found missing anyway (deleted by hand) is dropped and synthesised again.
When Redis is down, speech is still made and served by id, and its entry waits beside the file
(`<id>.json`) until Redis is back: the next store or pass over the folder indexes it, so a URL
given out during an outage keeps working and the cache recovers what it made meanwhile.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from pathlib import Path

import redis

from services.common.atomicfile import make_private_dir, remove_leftovers, write_atomically

ENTRY_ID = re.compile(r"[0-9a-f]{32}")


class AudioCache:
    RECONCILE_EVERY = 100  # stores between two passes over the folder
    STRIPES = 64  # synthesis locks, by entry id: bounded however many texts come

    def __init__(self, client: redis.Redis, directory: Path, max_bytes: int, owner_share: float = 1.0, log=print):
        self.client, self.dir, self.max_bytes, self.log = client, directory, max_bytes, log
        # What one account's renderings may fill: past it, its own oldest go, never another's.
        self.owner_max_bytes = int(max_bytes * owner_share)
        self._reconcile_error = ""  # the last pass's failure, said once, not once per store
        self._redis_away = False  # lookups answer "not cached" meanwhile: said once per outage
        make_private_dir(self.dir)
        self._stripes = [threading.Lock() for _ in range(self.STRIPES)]
        self._index = threading.Lock()  # every change to the index and the files, one at a time
        self._stores = 0
        self._some_waiting = True  # until a first pass has looked
        self.reconcile()

    @staticmethod
    def entry_id(engine: str, lang: str, slow: bool, text: str) -> str:
        return hashlib.sha256(json.dumps([engine, lang, slow, text]).encode()).hexdigest()[:32]

    def lock(self, entry_id: str) -> threading.Lock:
        """One synthesis per entry at a time: a second request for it waits and finds it cached."""
        return self._stripes[int(entry_id[:4], 16) % self.STRIPES]

    def path(self, entry_id: str) -> Path:
        if not ENTRY_ID.fullmatch(entry_id):  # ids only come from our own hashes; anything else is refused
            raise ValueError("not an entry id")
        return self.dir / f"{entry_id}.mp3"

    def lookup(self, entry_id: str) -> dict | None:
        """The entry's metadata if it is cached (and its file there); marks it as just used."""
        try:
            with self._index:
                meta = self.client.hgetall(f"tts:entry:{entry_id}")
                self._redis_answered()
                if not meta:
                    return None
                if "engine" not in meta or not self.path(entry_id).exists():  # half-written, or file gone
                    self._drop(entry_id)
                    return None
                self.client.zadd("tts:lru", {entry_id: time.time()}, xx=True)  # never re-adds an evicted id
        except redis.RedisError as exc:
            self._redis_failed(exc)
            return None
        return _typed(meta)

    def _redis_answered(self) -> None:
        if self._redis_away:
            self._redis_away = False
            self.log("tts cache: Redis answers again; lookups use the cache")

    def _redis_failed(self, exc: redis.RedisError) -> None:
        if not self._redis_away:
            self._redis_away = True
            self.log(f"tts cache: Redis unavailable ({exc}); speech is made and served uncached until it is back")

    def store(self, entry_id: str, audio: bytes, meta: dict, owner: str | None = None) -> dict:
        """owner: the account that asked for it (through the gateway), charged with its bytes."""
        meta = {**meta, "id": entry_id, "bytes": len(audio), "created": time.time(), **({"owner": owner} if owner else {})}
        with self._index:
            write_atomically(self.path(entry_id), audio)
            try:
                self._index_entry(entry_id, meta)
                if owner:
                    self._evict_owner(owner)
                self._evict()
            except redis.RedisError:
                # Served by id all the same; the entry waits on disk until Redis is back.
                write_atomically(self._waiting(entry_id), json.dumps(meta).encode())
                self._some_waiting = True
                return meta
        self._stores += 1
        if self._some_waiting or self._stores % self.RECONCILE_EVERY == 0:
            self.reconcile()
        return meta

    def _index_entry(self, entry_id: str, meta: dict) -> None:
        new = not self.client.exists(f"tts:entry:{entry_id}")
        with self.client.pipeline(transaction=True) as tx:  # the entry whole, or not at all
            tx.hset(f"tts:entry:{entry_id}", mapping={k: json.dumps(v) for k, v in meta.items()})
            tx.zadd("tts:lru", {entry_id: time.time()})
            if new:
                tx.incrby("tts:bytes", meta["bytes"])
                if meta.get("owner"):
                    tx.zadd(f"tts:owned:{meta['owner']}", {entry_id: time.time()})
                    tx.incrby(f"tts:owned_bytes:{meta['owner']}", meta["bytes"])
            tx.execute()

    def reconcile(self, min_age_s: float = 60.0) -> list[str]:
        """Index the entries that waited on disk while Redis was down; remove files no entry
        points to (Redis lost it), so the folder stays within max_bytes. Young files may be in
        the middle of a store. Returns the removed ids."""
        removed = []
        try:
            with self._index:
                remove_leftovers(self.dir)  # every store holds this lock: none is under way
                for waiting in self.dir.glob("*.json"):
                    self._index_waiting(waiting)
                self._some_waiting = False
                self._evict()
                for path in self.dir.glob("*.mp3"):
                    entry_id = path.stem
                    if time.time() - path.stat().st_mtime > min_age_s and not self.client.exists(f"tts:entry:{entry_id}"):
                        path.unlink(missing_ok=True)
                        removed.append(entry_id)
        except (redis.RedisError, OSError) as exc:
            # Redis still away, or the folder unreadable: nothing is lost (waiting entries stay on
            # disk, unindexed files stay), and the next pass tries again.
            error = f"{type(exc).__name__}: {exc}"
            if error != self._reconcile_error:
                self.log(f"tts cache: cannot reconcile {self.dir} ({error}); the next pass tries again")
                self._reconcile_error = error
            return removed
        if self._reconcile_error:
            self.log(f"tts cache: reconciled {self.dir} again")
            self._reconcile_error = ""
        return removed

    def _index_waiting(self, waiting: Path) -> None:
        entry_id = waiting.stem
        try:
            meta = json.loads(waiting.read_bytes())
        except ValueError:
            meta = None
        # Anything but what store() writes (not ours, or damaged) is dropped, its audio with the
        # other unindexed files.
        if isinstance(meta, dict) and isinstance(meta.get("bytes"), int) and ENTRY_ID.fullmatch(entry_id) \
                and self.path(entry_id).exists():
            self._index_entry(entry_id, meta)
        waiting.unlink()

    def _waiting(self, entry_id: str) -> Path:
        return self.path(entry_id).with_suffix(".json")

    def _evict(self) -> list[str]:
        """Drop least recently used entries until the files fit in max_bytes; returns their ids."""
        dropped = []
        while int(self.client.get("tts:bytes") or 0) > self.max_bytes:
            oldest = self.client.zpopmin("tts:lru")
            if not oldest:
                break
            entry_id = oldest[0][0]
            self._drop(entry_id)
            dropped.append(entry_id)
        return dropped

    def _evict_owner(self, owner: str) -> list[str]:
        """Drop the owner's oldest renderings until theirs fit in owner_max_bytes."""
        dropped = []
        while int(self.client.get(f"tts:owned_bytes:{owner}") or 0) > self.owner_max_bytes:
            oldest = self.client.zrange(f"tts:owned:{owner}", 0, 0)
            if not oldest:
                self.client.delete(f"tts:owned_bytes:{owner}")  # a count with nothing behind it
                break
            self._drop(oldest[0])
            dropped.append(oldest[0])
        return dropped

    def owned_bytes(self, owner: str) -> int:
        return int(self.client.get(f"tts:owned_bytes:{owner}") or 0)

    def meta(self, entry_id: str) -> dict | None:
        try:
            meta = self.client.hgetall(f"tts:entry:{entry_id}")
        except redis.RedisError as exc:
            self._redis_failed(exc)
            return None
        return _typed(meta) if meta and "engine" in meta else None

    def name(self, name: str, entry_id: str, owner: str | None = None) -> None:
        self.client.set(_name_key(name, owner), entry_id)

    def named(self, name: str, owner: str | None = None) -> str | None:
        return self.client.get(_name_key(name, owner))

    def touch(self, entry_id: str) -> None:
        try:
            self.client.zadd("tts:lru", {entry_id: time.time()}, xx=True)
        except redis.RedisError as exc:
            self._redis_failed(exc)

    def _drop(self, entry_id: str) -> None:
        """Entry first, then its file (callers hold self._index)."""
        size, owner = self.client.hmget(f"tts:entry:{entry_id}", ["bytes", "owner"])
        with self.client.pipeline(transaction=True) as tx:
            tx.delete(f"tts:entry:{entry_id}")
            tx.zrem("tts:lru", entry_id)
            if owner:
                tx.zrem(f"tts:owned:{json.loads(owner)}", entry_id)
            deleted = tx.execute()[0]
        if deleted and size:
            self.client.decrby("tts:bytes", int(json.loads(size)))
            if owner:
                self.client.decrby(f"tts:owned_bytes:{json.loads(owner)}", int(json.loads(size)))
        self.path(entry_id).unlink(missing_ok=True)


def _name_key(name: str, owner: str | None) -> str:
    """Each owner's names apart: `tts:name:<owner>:<name>`; no owner (a direct call), `tts:name:<name>`.
    Both are checked to letters, digits, '_' and '-', so ':' cannot be forged into either."""
    return f"tts:name:{owner}:{name}" if owner else f"tts:name:{name}"


def _typed(meta: dict) -> dict:
    return {k: json.loads(v) for k, v in meta.items()}  # every field is stored as JSON
