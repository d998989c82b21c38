"""Identity and abuse at the gateway, over real HTTP: readable user ids, file names per account,
sign-in that leaks nothing, throttling, password and email policy, Host checks, body limits.

The real orders, delivery, tts and gateway run as processes against one redis-server
(fuzz_stack.Stack), once for the module; every request is a real HTTP request on 127.0.0.1.
"""

from __future__ import annotations

import json
import statistics
import time
import uuid

import pytest

from tests.report import report
from tests.service.fuzz_stack import ROOT, Stack, call
from tests.service.test_tts import GoogleStandIn

PASSWORD = "a good password 1"
HEX_ID = "0123456789abcdef0123456789abcdef"  # an account made before ids were readable


@pytest.fixture(scope="module")
def stack(tmp_path_factory, redis_url):
    from werkzeug.security import generate_password_hash

    from services.gateway.auth import UserStore
    from services.tts.engines import Espeak

    google = GoogleStandIn(Espeak().speak("from the stand in", "en", False).audio)
    # Throttling has its own gateway below: here, sign-in is timed many times over.
    running = Stack(tmp_path_factory.mktemp("security"), redis_url, google.url,
                    env={"GATEWAY_SIGNIN_PER_ACCOUNT": "1000/minute", "GATEWAY_SIGNIN_PER_ADDRESS": "1000/minute",
                         "TTS_MAX_BYTES": str(20_000_000), "TTS_OWNER_SHARE": "0.1"})
    old = UserStore(running.data / "gateway" / "users")  # as an older gateway left it
    old.table.insert({"user_id": HEX_ID, "email": "old@example.com", "role": "customer",
                      "password": generate_password_hash(PASSWORD), "created": time.time()})
    del old
    try:
        running.start()
        running.redis_owned = lambda owner: int(running.redis.get(f"tts:owned_bytes:{owner}") or 0)
        yield running
    finally:
        running.stop()
        google.close()


def sign_up(stack: Stack, email: str | None = None) -> dict:
    email = email or f"u-{uuid.uuid4().hex[:10]}@example.com"
    status, made = call(stack.port, "POST", "/auth/signup", {"email": email, "password": PASSWORD})
    assert status == 201, made
    status, signed_in = call(stack.port, "POST", "/auth/signin", {"email": email, "password": PASSWORD})
    assert status == 200, signed_in
    return signed_in


# -- issue 11.7: user ids a person can read and type ---------------------------------------------------

def test_signup_gives_readable_sequential_user_ids(stack):
    first, second = sign_up(stack), sign_up(stack)
    assert first["user_id"].startswith("USER") and len(first["user_id"]) == 8
    assert int(second["user_id"][4:]) == int(first["user_id"][4:]) + 1
    status, me = call(stack.port, "GET", "/auth/me", token=second["token"])
    assert status == 200 and (me["user_id"], me["email"], me["role"]) == (second["user_id"], second["email"], "customer")
    status, _ = call(stack.port, "POST", f"/order-ms/{first['user_id']}/orders",
                     {"coffee_name": "latte", "coffee_price": 4000, "coffee_qty": 1}, first["token"])
    assert status == 201


def test_an_account_with_a_hex_id_keeps_working(stack):
    status, signed_in = call(stack.port, "POST", "/auth/signin", {"email": "old@example.com", "password": PASSWORD})
    assert status == 200 and signed_in["user_id"] == HEX_ID
    status, order = call(stack.port, "POST", f"/order-ms/{HEX_ID}/orders",
                         {"coffee_name": "latte", "coffee_price": 4000, "coffee_qty": 1}, signed_in["token"])
    assert status == 201 and order["user_id"] == HEX_ID


# -- issue 11.8: an old-API file name belongs to the account that made it -------------------------------

def test_a_file_name_belongs_to_its_account(stack):
    alice, bob = sign_up(stack), sign_up(stack)
    status, made_a = call(stack.port, "POST", "/output", {"message": "alice speaking", "name": "greeting"}, alice["token"])
    assert status == 201, made_a
    # bob takes the same name, and tries to pass himself off as alice to tts
    status, made_b = call_with(stack.port, "POST", "/output", {"message": "bob speaking", "name": "greeting"}, bob["token"],
                               {"X-Platform-Owner": alice["user_id"]})
    assert status == 201 and made_b["id"] != made_a["id"]
    assert served_id(stack, "/files/greeting", alice["token"]) == made_a["id"]
    assert served_id(stack, "/files/greeting", bob["token"]) == made_b["id"]
    carol = sign_up(stack)
    assert call(stack.port, "GET", "/files/greeting", token=carol["token"])[0] == 404


def test_tts_refuses_an_owner_that_is_no_user_id(stack):
    status, answer = call_with(stack.ports["tts"], "POST", "/output", {"message": "hi", "name": "x"}, None,
                               {"X-Platform-Owner": "a:b"})
    assert status == 400 and answer["error"]["code"] == "invalid_owner"


# -- issue 13.1: no user enumeration by timing ---------------------------------------------------------

def test_sign_in_takes_as_long_for_an_unknown_email_as_for_a_wrong_password(stack):
    known = sign_up(stack)["email"]
    took = {"unknown": [], "wrong": []}
    for i in range(16):  # alternated, so a slow moment of the machine falls on both
        for kind, email in (("unknown", f"nobody-{i}@example.com"), ("wrong", known)):
            started = time.perf_counter()
            status, answer = call(stack.port, "POST", "/auth/signin", {"email": email, "password": "a wrong password 1"})
            took[kind].append(time.perf_counter() - started)
            assert status == 401 and answer["error"]["message"] == "wrong email or password"
    unknown, wrong = (statistics.median(took[k][2:]) for k in ("unknown", "wrong"))  # the first may pay for warm-up
    report("sign-in timing (median of 14, real HTTP)", [f"unknown email {unknown * 1000:.1f} ms, wrong password {wrong * 1000:.1f} ms"])
    assert 0.7 < unknown / wrong < 1.3, (unknown, wrong)


def test_signup_of_a_taken_email_says_only_that(stack):
    taken = sign_up(stack)
    status, answer = call(stack.port, "POST", "/auth/signup", {"email": taken["email"].upper(), "password": "another good one 2"})
    assert status == 409 and answer["error"]["code"] == "email_taken"
    assert taken["user_id"] not in json.dumps(answer) and "customer" not in json.dumps(answer)


# -- issue 13.2: brute force slows down -----------------------------------------------------------------

class LoneGateway:
    """The gateway alone, as a process on a free port, with the settings a test gives it."""

    def __init__(self, root, **env):
        import os
        import subprocess
        import sys

        from tests.helpers import die_with_parent, free_port

        self.port, self.data = free_port(), root / "data"
        self.err = open(root / "gateway.err.log", "wb")
        clean = {k: v for k, v in os.environ.items() if not k.endswith("_URL") and not k.startswith("GATEWAY_")}
        self.proc = subprocess.Popen([sys.executable, "-m", "services.gateway"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=self.err,
                                     env={**clean, "PORT": str(self.port), "PLATFORM_DATA_DIR": str(self.data), **env},
                                     preexec_fn=die_with_parent)

    def wait_ready(self) -> "LoneGateway":
        from tests.helpers import port_is_listening, wait_until

        wait_until(lambda: self.proc.poll() is not None or port_is_listening(self.port), 30, what="the gateway listening")
        assert self.proc.poll() is None, self.log()[-2000:]
        return self

    def log(self) -> bytes:
        with open(self.err.name, "rb") as f:
            return f.read()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(20)
        self.err.close()


@pytest.fixture
def lone_gateway(tmp_path):
    started = []

    def start(**env) -> LoneGateway:
        root = tmp_path / f"gateway-{len(started)}"
        root.mkdir()
        gateway = LoneGateway(root, **env)
        started.append(gateway)
        return gateway

    yield start
    for gateway in started:
        gateway.stop()


def test_fifty_wrong_passwords_are_not_all_answered_and_the_owner_gets_back_in(lone_gateway):
    gateway = lone_gateway(GATEWAY_SIGNIN_PER_ACCOUNT="5 per 5 seconds").wait_ready()
    email = "owner@example.com"
    assert call(gateway.port, "POST", "/auth/signup", {"email": email, "password": PASSWORD})[0] == 201
    answers = []
    for _ in range(50):
        answers.append(call_full(gateway.port, "/auth/signin", {"email": email, "password": "a wrong password 1"}))
    statuses = [status for status, _, _ in answers]
    assert statuses.count(401) == 5 and statuses.count(429) == 45, statuses
    throttled = [a for a in answers if a[0] == 429]
    assert all(1 <= int(headers["Retry-After"]) <= 5 and body["error"]["code"] == "too_many_attempts" for _, headers, body in throttled)
    # Even the right password waits out the window (else the throttle would say which guess was right) ...
    assert call(gateway.port, "POST", "/auth/signin", {"email": email, "password": PASSWORD})[0] == 429
    # ... and no longer: the owner is back in once the window has passed, and that clears the count.
    from tests.helpers import wait_until

    wait_until(lambda: call(gateway.port, "POST", "/auth/signin", {"email": email, "password": PASSWORD})[0] == 200, 8,
               interval=0.25, what="the owner signed in after the window")
    assert call(gateway.port, "POST", "/auth/signin", {"email": email, "password": "a wrong password 1"})[0] == 401


def test_one_address_guessing_many_accounts_is_throttled_too(lone_gateway):
    gateway = lone_gateway(GATEWAY_SIGNIN_PER_ADDRESS="10/minute").wait_ready()
    statuses = [call(gateway.port, "POST", "/auth/signin", {"email": f"guess{i}@example.com", "password": "a wrong password 1"})[0]
                for i in range(20)]
    assert statuses == [401] * 10 + [429] * 10
    # signups of taken emails list accounts as well: counted against the same address
    assert call(gateway.port, "POST", "/auth/signup", {"email": "new@example.com", "password": PASSWORD})[0] == 429


# -- issue 13.3: passwords and emails -----------------------------------------------------------------

@pytest.mark.parametrize("weak", ["password123", "aaaaaaaaa1", "qwertyuiop1", "1234567890"])
def test_weak_passwords_are_refused_with_the_reason(stack, weak):
    status, answer = call(stack.port, "POST", "/auth/signup", {"email": f"w-{uuid.uuid4().hex[:8]}@example.com", "password": weak})
    assert status == 400 and answer["error"]["field"] == "password"
    assert "too easy to guess" in answer["error"]["message"] and answer["error"]["reason"]


def test_an_email_is_one_account_however_its_letters_are_written(stack):
    tag = uuid.uuid4().hex[:6]
    composed = f"jos\u00e9-{tag}@example.com"
    status, made = call(stack.port, "POST", "/auth/signup", {"email": composed, "password": PASSWORD})
    assert status == 201, made
    decomposed = f"Jose\u0301-{tag}@EXAMPLE.com"
    fullwidth = wide("jos") + "\u00e9-" + wide(tag) + "@example.com"  # NFKC reads fullwidth letters as ASCII
    for spelling in (decomposed, fullwidth):
        status, answer = call(stack.port, "POST", "/auth/signin", {"email": spelling, "password": PASSWORD})
        assert status == 200 and answer["user_id"] == made["user_id"], (spelling, answer)
        assert call(stack.port, "POST", "/auth/signup", {"email": spelling, "password": PASSWORD})[0] == 409


@pytest.mark.parametrize("bad", ["a\x00b@example.com", "a\x1b[31mred@example.com", "evil\u202egnp.exe@example.com",
                                 "zero\u200bwidth@example.com", "bell\x07@example.com", "line\u2028sep@example.com"])
def test_control_and_bidi_characters_in_an_email_are_refused(stack, bad):
    status, answer = call(stack.port, "POST", "/auth/signup", {"email": bad, "password": PASSWORD})
    assert status == 400 and answer["error"]["field"] == "email"


# -- issue 13.8: tokens ----------------------------------------------------------------------------

def test_a_token_whose_account_is_gone_or_whose_exp_is_no_number_is_refused(stack):
    import jwt

    secret = (stack.data / "gateway" / "jwt.secret").read_text().strip()
    now = int(time.time())
    me = sign_up(stack)
    good = jwt.encode({"sub": me["user_id"], "role": "customer", "iat": now, "exp": now + 60}, secret, algorithm="HS256")
    assert call(stack.port, "GET", "/auth/me", token=good)[0] == 200
    gone = jwt.encode({"sub": "USER9999", "role": "staff", "iat": now, "exp": now + 60}, secret, algorithm="HS256")
    status, answer = call(stack.port, "GET", "/order-ms/USER9999/orders", token=gone)
    assert status == 401 and "no longer exists" in answer["error"]["message"]
    for exp in (str(now + 60), True, [now + 60], None):
        odd = jwt.encode({"sub": me["user_id"], "role": "customer", "iat": now, "exp": exp}, secret, algorithm="HS256")
        assert call(stack.port, "GET", "/auth/me", token=odd)[0] == 401, exp


def test_the_signing_key_is_private_and_a_short_one_is_refused_at_start(lone_gateway):
    import os
    import stat

    gateway = lone_gateway().wait_ready()
    secret = gateway.data / "gateway" / "jwt.secret"
    assert stat.S_IMODE(os.stat(secret).st_mode) == 0o600 and len(secret.read_bytes()) >= 32
    assert stat.S_IMODE(os.stat(secret.parent).st_mode) == 0o700
    assert not [p for p in secret.parent.iterdir() if p.name.endswith(".tmp")]
    for short in ("", "short-key"):
        refused = lone_gateway(GATEWAY_JWT_SECRET=short)
        assert refused.proc.wait(30) != 0
        assert refused.log().strip().splitlines() == [
            f"gateway: GATEWAY_JWT_SECRET is {len(short)} bytes; at least 32 are needed".encode()]


# -- helpers ---------------------------------------------------------------------------------------

def call_with(port: int, method: str, path: str, body, token: str | None, headers: dict) -> tuple[int, dict]:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    sent = {"Content-Type": "application/json", **headers, **({"Authorization": f"Bearer {token}"} if token else {})}
    try:
        conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=sent)
        response = conn.getresponse()
        data = response.read()
        return response.status, json.loads(data) if data else {}
    finally:
        conn.close()


def call_full(port: int, path: str, body) -> tuple[int, dict, dict]:
    return call_full_token(port, path, body, None)


def call_full_token(port: int, path: str, body, token: str | None) -> tuple[int, dict, dict]:
    """POST a JSON body; (status, headers, JSON answer)."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    try:
        conn.request("POST", path, body=json.dumps(body), headers=headers)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), json.loads(response.read())
    finally:
        conn.close()


def wide(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) for c in text)


def served_id(stack: Stack, path: str, token: str) -> str:
    """Which cached rendering a /files/ path serves: its download name is the name, so compare bytes."""
    import http.client
    import pathlib

    conn = http.client.HTTPConnection("127.0.0.1", stack.port, timeout=30)
    try:
        conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        response = conn.getresponse()
        audio = response.read()
        assert response.status == 200, audio[:200]
    finally:
        conn.close()
    for mp3 in pathlib.Path(stack.data, "tts").glob("*.mp3"):
        if mp3.read_bytes() == audio:
            return mp3.stem
    raise AssertionError("the served audio is no cached file")


def test_health_all_names_internal_addresses_only_to_staff(stack):
    import http.client

    def health_all(token: str | None) -> bytes:
        conn = http.client.HTTPConnection("127.0.0.1", stack.port, timeout=30)
        try:
            conn.request("GET", "/health/all", headers={"Authorization": f"Bearer {token}"} if token else {})
            response = conn.getresponse()
            assert response.status == 200
            return response.read()
        finally:
            conn.close()

    customer = sign_up(stack)["token"]
    for token in (None, customer, "not-a-token"):
        body = health_all(token)
        assert b'"state":"ok"' in body.replace(b" ", b"") and not any(port in body for port in stack.internal), body
    staff = stack_staff_token(stack)
    assert all(port in health_all(staff) for port in stack.internal)


def stack_staff_token(stack: Stack) -> str:
    """A staff account, asked for as `platform user add --staff` does (the gateway's own add-staff)."""
    from services.gateway.staff import request_staff

    email = f"boss-{uuid.uuid4().hex[:6]}@example.com"
    request_staff(stack.data, email, PASSWORD)
    status, answer = call(stack.port, "POST", "/auth/signin", {"email": email, "password": PASSWORD})
    assert status == 200 and answer["role"] == "staff", answer
    return answer["token"]


# -- issue 13.6: DNS rebinding ---------------------------------------------------------------------------

def get_with_host(port: int, path: str, host: str | None) -> tuple[int, bytes]:
    import socket

    head = f"GET {path} HTTP/1.1\r\n" + (f"Host: {host}\r\n" if host is not None else "") + "Connection: close\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(head.encode())
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return int(answer.split(b" ", 2)[1]), answer


@pytest.mark.parametrize("service", ["orders", "delivery", "tts", "gateway"])
def test_every_service_refuses_a_host_it_does_not_serve(stack, service):
    port = stack.ports[service]
    path = "/delivery-ms/received" if service == "delivery" else "/health"
    for host in ("rebind.attacker.example", f"rebind.attacker.example:{port}", "127.0.0.1.attacker.example",
                 "localhost:80:80", "[::1]x", ""):
        status, answer = get_with_host(port, path, host)
        assert status == 421 and b'"code":"host_not_allowed"' in answer.replace(b" ", b""), (host, answer[:300])
        assert b"order_id" not in answer
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", "LOCALHOST", f"[::1]:{port}", "localhost.", None):
        assert get_with_host(port, "/health", host)[0] == 200, host
    if service == "delivery":
        assert get_with_host(port, path, f"localhost:{port}")[0] == 200


def test_a_configured_host_name_is_served(lone_gateway):
    gateway = lone_gateway(PLATFORM_ALLOWED_HOSTS="devbox.local, 10.0.0.5").wait_ready()
    for host in ("devbox.local", f"DEVBOX.local:{gateway.port}", "10.0.0.5:8080"):
        assert get_with_host(gateway.port, "/health", host)[0] == 200, host
    status, answer = get_with_host(gateway.port, "/health", "other.local")
    assert status == 421 and b"\r\nx-request-id: " in answer.lower()


# -- issue 13.5 and 13.10: what waitress does before the app -----------------------------------------------

def exchange_all(port: int, raw: bytes, timeout: float = 10) -> tuple[bytes, float]:
    """Send raw bytes, read until the server closes the connection; (everything it sent, seconds until its first byte)."""
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        started = time.perf_counter()
        try:
            sock.sendall(raw)
        except OSError:
            pass  # the server stopped reading (headers too large): its answer is there all the same
        answer = sock.recv(65536)
        first = time.perf_counter() - started
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except ConnectionResetError:
            pass  # closed with our unread bytes still in its buffer: a reset, after its answer
    return answer, first


def envelope_of(answer: bytes) -> tuple[int, dict, dict]:
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split(" ")[1]), headers, json.loads(body)


@pytest.mark.parametrize("service, limit", [("gateway", 1024 * 1024), ("orders", 64 * 1024), ("tts", 64 * 1024)])
def test_a_body_over_the_limit_is_refused_before_it_is_sent(stack, service, limit):
    """Only the headers go out: the 413 comes at once, so not one byte of the body was awaited."""
    path = "/order-ms/USER0001/orders" if service == "orders" else "/tts"
    raw = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
           f"Content-Length: {limit + 1}\r\n\r\n").encode()
    answer, first = exchange_all(stack.ports[service], raw)
    status, headers, body = envelope_of(answer)
    assert status == 413 and body["error"]["code"] == "request_entity_too_large" and headers["x-request-id"], answer[:300]
    assert first < 2, first
    raw_ok = raw.replace(str(limit + 1).encode(), str(limit).encode())  # the limit itself is not refused by the server
    import socket

    with socket.create_connection(("127.0.0.1", stack.ports[service]), timeout=0.5) as sock:
        sock.sendall(raw_ok)
        with pytest.raises(socket.timeout):
            sock.recv(1)  # waiting for the body, as it should


@pytest.mark.parametrize("service", ["gateway", "orders"])
def test_content_length_with_transfer_encoding_is_a_400_and_the_connection_closes(stack, service):
    smuggled = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    for coding in (b"chunked", b"gzip, chunked", b"identity"):
        raw = (b"POST /auth/signin HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 5\r\n"
               b"Transfer-Encoding: " + coding + b"\r\n\r\n0\r\n\r\n" + smuggled)
        answer, _ = exchange_all(stack.ports[service], raw)
        status, headers, body = envelope_of(answer)
        assert status == 400 and headers["connection"] == "close" and body["error"]["code"] == "bad_request", answer[:400]
        assert answer.count(b"HTTP/1.1 ") == 1, answer  # the request behind it got no answer


def test_errors_the_server_makes_before_the_app_are_json_with_a_request_id(stack):
    cases = {b"NOT A REQUEST LINE AT ALL\r\n\r\n": 400,
             b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"v" * 300_000 + b"\r\n\r\n": 431,
             b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: gzip\r\n\r\n": 501}
    for raw, expected in cases.items():
        status, headers, body = envelope_of(exchange_all(stack.port, raw)[0])
        assert status == expected and headers["content-type"] == "application/json" and headers["x-request-id"], raw[:60]
        assert set(body) == {"error"} and body["error"]["code"] and body["error"]["message"]


# -- issue 13.4: slow clients cannot take the gateway down -----------------------------------------------

def test_health_stays_fast_while_500_half_sent_requests_are_held(lone_gateway):
    import socket

    gateway = lone_gateway().wait_ready()
    held = []
    try:
        for _ in range(500):
            sock = socket.create_connection(("127.0.0.1", gateway.port), timeout=10)
            sock.sendall(b"POST /auth/signin HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                         b"Content-Length: 100\r\n\r\n{\"email\": ")  # and never the rest
            held.append(sock)
        took, deadline = [], time.monotonic() + 20  # held for 20 s, /health asked all along
        while time.monotonic() < deadline:
            started = time.perf_counter()
            status, _ = get_with_host(gateway.port, "/health", "127.0.0.1")
            took.append(time.perf_counter() - started)
            assert status == 200
            time.sleep(0.2)  # pacing the probe, not waiting on anything
        assert gateway.proc.poll() is None
    finally:
        for sock in held:
            sock.close()
    took.sort()
    median, p95 = statistics.median(took), took[int(len(took) * 0.95)]
    report("/health under 500 half-sent requests held 20 s (lone gateway, real HTTP)",
           [f"{len(took)} probes: median {median * 1000:.1f} ms, 95th percentile {p95 * 1000:.1f} ms, max {took[-1] * 1000:.1f} ms"])
    assert median < 0.1 and p95 < 0.1, took


# -- issue 13.9: fairness ----------------------------------------------------------------------------

def long_text(tag: str) -> str:
    text = f"{tag}: " + " ".join(f"sentence {i} is read out loud" for i in range(60))  # ~1,800 characters: ~0.6 s of espeak
    return text


def test_one_account_sending_16_long_speech_requests_leaves_others_fast(stack):
    import threading

    hog, other = sign_up(stack), sign_up(stack)
    answers, start = [], threading.Barrier(17)

    def hog_says(i: int) -> None:
        start.wait()
        answers.append(call_full_token(stack.port, "/tts", {"text": long_text(f"hog {uuid.uuid4().hex[:6]} {i}"), "engine": "espeak"},
                                       hog["token"]))

    threads = [threading.Thread(target=hog_says, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    start.wait()
    time.sleep(0.05)  # pacing: the hog's requests are in before the other's (not waiting on anything)
    health_took = []
    for _ in range(5):
        started = time.perf_counter()
        assert get_with_host(stack.port, "/health", "127.0.0.1")[0] == 200
        health_took.append(time.perf_counter() - started)
    started = time.perf_counter()
    status, _, made = call_full_token(stack.port, "/tts", {"text": f"my turn {uuid.uuid4().hex[:6]}", "engine": "espeak"}, other["token"])
    other_took = time.perf_counter() - started
    for thread in threads:
        thread.join(60)
    statuses = sorted(s for s, _, _ in answers)
    report("speech fairness (16 parallel ~1,800-character requests from one account)", [
        f"hog: {statuses.count(201)} made, {statuses.count(429)} told to wait (429); other account's request "
        f"{other_took * 1000:.0f} ms; /health max {max(health_took) * 1000:.1f} ms"])
    assert status == 201, made
    assert statuses.count(429) >= 12 and set(statuses) <= {201, 429}, statuses
    assert all(h["Retry-After"] == "1" for s, h, _ in answers if s == 429)
    assert max(health_took) < 0.1, health_took
    assert other_took < 3, other_took  # at most behind the one rendering of the hog's in flight, never all 16


def test_speech_past_capacity_is_shed_with_503_not_queued(lone_gateway, stack):
    """Capacity 1 in all: a second account's request while one is in flight is a 503 at once."""
    import threading

    gateway = lone_gateway(GATEWAY_SPEECH_MAX="1", TTS_URL=f"http://127.0.0.1:{stack.ports['tts']}").wait_ready()
    tokens = []
    for _ in range(2):
        email = f"cap-{uuid.uuid4().hex[:8]}@example.com"
        assert call(gateway.port, "POST", "/auth/signup", {"email": email, "password": PASSWORD})[0] == 201
        tokens.append(call(gateway.port, "POST", "/auth/signin", {"email": email, "password": PASSWORD})[1]["token"])
    answers, start = [], threading.Barrier(2)

    def say(token: str) -> None:
        start.wait()
        answers.append(call_full_token(gateway.port, "/tts", {"text": long_text(uuid.uuid4().hex[:8]), "engine": "espeak"}, token))

    threads = [threading.Thread(target=say, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    (made, _, _), (status, headers, body) = sorted(answers, key=lambda a: a[0])
    assert made == 201  # the one that came first, while the other's rendering (~0.6 s) was under way:
    assert status == 503 and headers["Retry-After"] == "1" and body["error"]["code"] == "busy"


def test_one_account_cannot_push_others_audio_out_of_the_cache(stack):
    victim, hog = sign_up(stack), sign_up(stack)
    status, _, mine = call_full_token(stack.port, "/tts", {"text": f"keep me {uuid.uuid4().hex}", "engine": "espeak"}, victim["token"])
    assert status == 201
    share = int(20_000_000 * 0.1)
    made, total = [], 0
    while total < 3 * share and len(made) < 20:
        status, _, rendering = call_full_token(stack.port, "/tts", {"text": long_text(uuid.uuid4().hex), "engine": "espeak"}, hog["token"])
        assert status == 201, rendering
        made.append(rendering["id"])
        total += rendering["bytes"]
        assert 0 < stack.redis_owned(hog["user_id"]) <= share
    assert total >= 3 * share
    assert call(stack.port, "GET", f"/tts/{made[0]}", token=hog["token"])[0] == 404  # the hog's oldest went
    assert call(stack.port, "GET", f"/tts/{made[-1]}", token=hog["token"])[0] == 200
    assert call(stack.port, "GET", f"/tts/{mine['id']}", token=victim["token"])[0] == 200  # never the victim's
