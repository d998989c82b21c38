"""The audio cache: MP3 files under data/tts, their index and recency in Redis.

Redis holds `tts:entry:<id>` (a hash of the entry's metadata), `tts:lru` (ids scored by last
use), `tts:bytes` (the files' total size) and `tts:name:<name>` (the old API's names). A file is
written before its entry, and an evicted entry goes before its file, so an entry never points at
a missing file; one found missing anyway (deleted by hand) is dropped and synthesised again.
When Redis is down, speech is still made and served by id; it is just not remembered.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import time
from pathlib import Path

import redis

ENTRY_ID = re.compile(r"[0-9a-f]{32}")


class AudioCache:
    def __init__(self, client: redis.Redis, directory: Path, max_bytes: int):
        self.client, self.dir, self.max_bytes = client, directory, max_bytes
        self.dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()

    @staticmethod
    def entry_id(engine: str, lang: str, slow: bool, text: str) -> str:
        return hashlib.sha256(json.dumps([engine, lang, slow, text]).encode()).hexdigest()[:32]

    def lock(self, entry_id: str) -> threading.Lock:
        """One synthesis per entry at a time: a second request for it waits and finds it cached."""
        with self._locks_guard:
            return self._locks.setdefault(entry_id, threading.Lock())

    def path(self, entry_id: str) -> Path:
        if not ENTRY_ID.fullmatch(entry_id):  # ids only come from our own hashes; anything else is refused
            raise ValueError("not an entry id")
        return self.dir / f"{entry_id}.mp3"

    def lookup(self, entry_id: str) -> dict | None:
        """The entry's metadata if it is cached (and its file there); marks it as just used."""
        try:
            meta = self.client.hgetall(f"tts:entry:{entry_id}")
            if not meta:
                return None
            if not self.path(entry_id).exists():
                self._drop(entry_id)
                return None
            self.client.zadd("tts:lru", {entry_id: time.time()})
        except redis.RedisError:
            return None
        return _typed(meta)

    def store(self, entry_id: str, audio: bytes, meta: dict) -> dict:
        _write_atomically(self.path(entry_id), audio)
        meta = {**meta, "id": entry_id, "bytes": len(audio), "created": time.time()}
        try:
            if self.client.hsetnx(f"tts:entry:{entry_id}", "id", json.dumps(entry_id)):
                self.client.hset(f"tts:entry:{entry_id}", mapping={k: json.dumps(v) for k, v in meta.items()})
                self.client.incrby("tts:bytes", len(audio))
            self.client.zadd("tts:lru", {entry_id: time.time()})
            self.evict()
        except redis.RedisError:
            pass  # served by id all the same; remembered once Redis is back and it is asked again
        return meta

    def evict(self) -> list[str]:
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

    def meta(self, entry_id: str) -> dict | None:
        try:
            meta = self.client.hgetall(f"tts:entry:{entry_id}")
        except redis.RedisError:
            return None
        return _typed(meta) if meta else None

    def name(self, name: str, entry_id: str) -> None:
        self.client.set(f"tts:name:{name}", entry_id)

    def named(self, name: str) -> str | None:
        return self.client.get(f"tts:name:{name}")

    def touch(self, entry_id: str) -> None:
        try:
            if self.client.exists(f"tts:entry:{entry_id}"):
                self.client.zadd("tts:lru", {entry_id: time.time()})
        except redis.RedisError:
            pass

    def _drop(self, entry_id: str) -> None:
        size = self.client.hget(f"tts:entry:{entry_id}", "bytes")
        if self.client.delete(f"tts:entry:{entry_id}") and size:
            self.client.decrby("tts:bytes", int(json.loads(size)))
        self.client.zrem("tts:lru", entry_id)
        self.path(entry_id).unlink(missing_ok=True)


def _typed(meta: dict) -> dict:
    return {k: json.loads(v) for k, v in meta.items()}  # every field is stored as JSON


def _write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + f".{threading.get_ident()}.tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
