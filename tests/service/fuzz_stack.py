"""The whole stack for the gateway fuzz tests: the real services as processes, raw HTTP, and the
stored state a rejected request must leave alone.

`Stack` runs `python -m services.orders|delivery|tts|gateway` (their real workers included) on
free 127.0.0.1 ports, against one redis-server, with their data under one temp dir. `exchange`
sends a request as raw bytes on a socket, so malformed requests really reach the server, and
reads the answer with http.client. `Stack.judge` checks one answer and the stored state.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from services.common.streams import connect
from services.common.validation import is_unicode
from tests.helpers import die_with_parent, free_port, wait_until

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("orders", "delivery", "tts", "gateway")
# (stream, consumer group): every event published must be handled before a state is a baseline.
CONSUMERS = (("events:orders", "delivery"), ("events:delivery", "orders"))
PENDING_OUTBOX = b'"outbox":[{'  # how tablefiles writes a document with events yet to publish
LEAKS = re.compile(
    rb'Traceback \(most recent|File "[^"]*", line \d|<class \'|\b(?:KeyError|ValueError|TypeError|AttributeError|IndexError'
    rb'|RecursionError|UnicodeEncodeError|UnicodeDecodeError|JSONDecodeError|AssertionError|RuntimeError|OSError'
    rb'|InvalidURL|HTTPException|RedisError|ResponseError|StoreCorruptError|OverflowError|NameError)\b')
SNAKE = re.compile(r"[a-z][a-z0-9_]*")
# waitress's own 501 for a transfer coding it does not know, in our envelope (services/common/server.py)
WAITRESS = b'{"error": {"code": "not_implemented"'


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


def exchange(port: int, raw: bytes, method: str, half_close: bool = False, timeout: float = 30) -> Answer | None:
    """Send `raw` on a fresh connection and read the first answer; None if the server closed
    the connection without one."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        try:
            sock.sendall(raw)
            if half_close:
                sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the server stopped reading (say, headers too large): its answer may still be there
        response = http.client.HTTPResponse(sock, method=method)
        try:
            response.begin()
            return Answer(response.status, response.msg, response.read())
        except (http.client.RemoteDisconnected, ConnectionResetError):
            return None


def call(port: int, method: str, path: str, body=None, token: str | None = None) -> tuple[int, dict]:
    """A well-formed JSON request, for setting the stage."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = conn.getresponse()
        data = response.read()
        return response.status, json.loads(data) if data else {}
    finally:
        conn.close()


class Stack:
    def __init__(self, root: Path, redis_url: str, gtts_url: str, env: dict | None = None):
        self.data, self.logs = root / "data", root / "logs"
        self.logs.mkdir(parents=True)
        self.redis_url, self.gtts_url = redis_url, gtts_url
        self.extra_env = env or {}  # settings a test wants on top of the defaults below
        self.redis = connect(redis_url)
        self.ports = {name: free_port() for name in SERVICES}
        self.port = self.ports["gateway"]
        self.internal = [b"127.0.0.1:%d" % port for name, port in self.ports.items() if name != "gateway"]
        self.procs: dict[str, subprocess.Popen] = {}
        self.counts: Counter = Counter()
        self.users: dict[str, dict] = {}  # customer, other, staff: {"user_id", "token", "email", "password"}
        self.orders: list[tuple[str, str]] = []  # (user_id, order_id) of every order made
        self.entry = self.name = ""  # a cached rendering's id, and a legacy name for it
        self._hashes: dict[str, tuple] = {}
        self.baseline = None

    # -- running ---------------------------------------------------------------------------------

    def start(self) -> None:
        self.redis.flushall()  # the session's redis-server: no other test's streams or groups
        env = {k: v for k, v in os.environ.items() if not k.endswith("_URL") and not k.startswith(("GATEWAY_", "TTS_", "GTTS_"))}
        env.update(PYTHONUNBUFFERED="1", PLATFORM_DATA_DIR=str(self.data), REDIS_URL=self.redis_url,
                   TTS_ENGINE="espeak", GTTS_URL=self.gtts_url, GTTS_TIMEOUT="2",  # never the internet
                   GATEWAY_CORS_ORIGINS="https://shop.example", GATEWAY_TIMEOUT="20",
                   **{f"{name.upper()}_URL": f"http://127.0.0.1:{port}" for name, port in self.ports.items()})
        env.update(self.extra_env)
        for name in SERVICES:
            with open(self.logs / f"{name}.log", "wb") as out, open(self.logs / f"{name}.err.log", "wb") as err:
                self.procs[name] = subprocess.Popen([sys.executable, "-m", f"services.{name}"], cwd=ROOT,
                                                    env={**env, "PORT": str(self.ports[name])}, stdout=out, stderr=err,
                                                    preexec_fn=die_with_parent)
        for name in SERVICES:
            wait_until(lambda name=name: self.healthy(name), 30, 0.1, what=f"{name} /health")

    def healthy(self, name: str) -> bool:
        if self.procs[name].poll() is not None:
            raise AssertionError(f"{name} exited with {self.procs[name].returncode}: {self.log(name)[-2000:]!r}")
        try:
            return call(self.ports[name], "GET", "/health")[0] == 200
        except OSError:
            return False

    def log(self, name: str) -> bytes:
        return (self.logs / f"{name}.err.log").read_bytes()

    def stop(self) -> None:
        for proc in self.procs.values():
            proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)

    # -- the stage: accounts, an order, a rendering ------------------------------------------------

    def set_stage(self) -> None:
        from services.gateway.staff import request_staff

        for who in ("customer", "other"):
            email, password = f"{who}-{uuid.uuid4().hex[:8]}@example.com", "a good password 1"
            assert call(self.port, "POST", "/auth/signup", {"email": email, "password": password})[0] == 201
            self.users[who] = {"email": email, "password": password}
        staff = {"email": "boss@example.com", "password": "the boss's password 2"}
        request_staff(self.data, staff["email"], staff["password"])  # as `platform user add --staff` asks for one
        self.users["staff"] = staff
        for user in self.users.values():
            status, answer = call(self.port, "POST", "/auth/signin", {"email": user["email"], "password": user["password"]})
            assert status == 200, answer
            user.update(user_id=answer["user_id"], token=answer["token"], role=answer["role"])
        assert self.users["staff"]["role"] == "staff"
        for who in ("customer", "customer", "customer", "other"):  # the other's order: to tell if a customer sees it
            user = self.users[who]
            status, order = call(self.port, "POST", f"/order-ms/{user['user_id']}/orders",
                                 {"coffee_name": "latte", "coffee_price": 4000, "coffee_qty": 1}, user["token"])
            assert status == 201, order
            self.orders.append((user["user_id"], order["order_id"]))
        status, made = call(self.port, "POST", "/output", {"message": "hello there", "name": "greeting"},
                            self.users["customer"]["token"])
        assert status == 201, made
        self.entry, self.name = made["id"], "greeting"
        self.baseline = wait_until(self._settled_state, 20, what="stream consumers caught up")

    # -- judging one answer ------------------------------------------------------------------------

    def judge(self, family: str, raw: bytes, method: str, answer: Answer | None, *, may_go_unanswered: bool = False,
              customer: str | None = None, allowed_5xx=lambda answer: False) -> None:
        """Check one answer, then the stored state: unchanged after a rejection, and once an
        accepted request's background work is done, the new baseline (even when the answer
        failed a check, so one failure does not make the next requests look guilty)."""
        shown = raw[:400] + (b"..." if len(raw) > 400 else b"")
        self.counts[family] += 1
        self.counts["requests"] += 1
        self.counts[f"{answer.status // 100}xx" if answer else "unanswered"] += 1
        try:
            if answer is None:
                assert may_go_unanswered, f"no answer at all to {shown!r}"
            elif answer.status >= 500 and allowed_5xx(answer):
                self.counts["5xx allowed"] += 1
            else:
                internal = [] if family == "health" else self.internal  # /health/all names them to a staff token
                check_answer(answer, method, shown, customer, internal)
        finally:
            self._follow_state(answer, shown)

    def _follow_state(self, answer: Answer | None, shown: bytes) -> None:
        if answer is not None and answer.status < 400:
            self.baseline = wait_until(self._settled_state, 20, what=f"stream consumers caught up after {shown!r}")
            return
        before, self.baseline = self.baseline, self.state()
        if self.baseline != before:
            raise AssertionError(f"rejected ({answer.status if answer else 'unanswered'}) yet stored data changed: "
                                 f"{describe_change(before, self.baseline)}\nrequest: {shown!r}")

    def state(self) -> dict:
        """Every file under the data dir (by content hash) and every Redis key's value, except
        the cache's recency scores, which a read moves, and empty lock files."""
        files = {}
        for root, _, names in os.walk(self.data):
            for name in names:
                path = os.path.join(root, name)
                stat = os.stat(path)
                if name.endswith(".lock") and stat.st_size == 0:
                    continue  # a bucket's flock file (bucketstore.py), made empty by its first writer, even one refused: no data
                key = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
                known = self._hashes.get(path)
                if known is None or known[0] != key:
                    content = Path(path).read_bytes()
                    known = self._hashes[path] = (key, hashlib.sha256(content).hexdigest(), PENDING_OUTBOX in content)
                files[os.path.relpath(path, self.data)] = known[1:]
        keys = sorted(self.redis.keys("*"))
        with self.redis.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.type(key)
            types = pipe.execute()
            read = {"string": pipe.get, "hash": pipe.hgetall, "stream": pipe.xlen, "list": lambda k: pipe.lrange(k, 0, -1),
                    "set": pipe.smembers, "zset": lambda k: pipe.zrange(k, 0, -1)}
            for key, kind in zip(keys, types, strict=True):
                read[kind](key)
            values = pipe.execute()
        stored = {key: sorted(v) if isinstance(v, (set, list)) else v for key, v in zip(keys, values, strict=True)}
        return {"files": files, "redis": stored}

    def _settled_state(self) -> dict | None:
        """The state, once every published event has been handled (else None)."""
        for stream, group in CONSUMERS:
            last = self.redis.xinfo_stream(stream)["last-generated-id"]
            found = [g for g in self.redis.xinfo_groups(stream) if g["name"] == group]
            if not found or found[0]["pending"] or found[0]["last-delivered-id"] != last:
                return None
        state = self.state()
        return None if any(pending for _, pending in state["files"].values()) else state


def check_answer(answer: Answer, method: str, shown: bytes, customer: str | None, internal: list[bytes]) -> None:
    where = f"{answer.status} to {shown!r}: {answer.body[:600]!r}"
    assert answer.status < 500, where
    assert not LEAKS.search(answer.body), f"internals leaked in {where}"
    told = answer.body + str(answer.headers).encode("latin-1", "replace")
    assert not any(address in told for address in internal), f"an upstream's address leaked in {where} {answer.headers}"
    from_waitress = WAITRESS in answer.body or (method == "HEAD" and not answer.headers.get("X-Request-ID")
                                                and answer.headers.get_content_type() == "text/plain")  # no body to say so
    if not from_waitress:
        assert answer.headers.get("X-Request-ID"), f"no X-Request-ID in {where}"
    if method == "HEAD" or not answer.body:
        return
    if answer.headers.get_content_type() == "application/json":
        doc = json.loads(answer.body)
        assert is_unicode(json.dumps(doc, ensure_ascii=False)), f"text no UTF-8 can carry (a lone surrogate) in {where}"
        if customer is not None and answer.status < 300:
            others = {v for v in _values_of(doc, "user_id") if v != customer}
            assert not others, f"a customer saw another user's data: {where}"
    if 400 <= answer.status < 500 and not from_waitress:
        assert answer.headers.get_content_type() == "application/json", f"not the JSON envelope: {where}"
        error = doc.get("error") if isinstance(doc, dict) and set(doc) == {"error"} else None
        assert isinstance(error, dict) and isinstance(error.get("message"), str), f"not the JSON envelope: {where}"
        assert isinstance(error.get("code"), str) and SNAKE.fullmatch(error["code"]), f"not a snake_case code: {where}"


def _values_of(doc, key: str):
    if isinstance(doc, dict):
        for k, v in doc.items():
            if k == key:
                yield v
            yield from _values_of(v, key)
    elif isinstance(doc, list):
        for v in doc:
            yield from _values_of(v, key)


def describe_change(before: dict, after: dict) -> str:
    changes = []
    for part in ("files", "redis"):
        old, new = before[part], after[part]
        changes += [f"{part} {k}: {'added' if k not in old else 'removed' if k not in new else 'changed'}"
                    for k in sorted(set(old) | set(new), key=str) if old.get(k) != new.get(k)]
    return "; ".join(changes[:20])

