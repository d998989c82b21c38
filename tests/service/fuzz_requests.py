"""What the gateway fuzz sends: requests as data, the hypothesis strategies that make them,
and their rendering to raw bytes (test_gateway_fuzz.py sends them and judges the answers).

A request names values that exist only once the stack runs (a user's id, an order) as `Known`,
resolved when it is rendered; everything else is bytes or JSON values, hostile or plausible.
"""

from __future__ import annotations

import json
import uuid
from typing import NamedTuple
from urllib.parse import quote

import jwt
from hypothesis import strategies as st

from services.delivery.statuses import STATUSES
from tests.service.fuzz_stack import Stack

# -- what a request is made of -------------------------------------------------------------------

class Known(NamedTuple):
    """A value that exists only once the stack runs: me | customer | other | staff | order |
    owner (of an order) | uuid | entry | name."""
    kind: str
    index: int = 0


class Forged(NamedTuple):
    """A token signed with the gateway's own secret (or none), with claims of any shape."""
    claims: dict
    algorithm: str


ROUTES = (  # (family, method, path): every route the gateway answers or forwards, then unrouted ones
    ("health", "GET", "/health"), ("health", "GET", "/health/all"),
    ("auth", "POST", "/auth/signup"), ("auth", "POST", "/auth/signin"),
    ("orders", "GET", "/order-ms/{user}/orders"), ("orders", "POST", "/order-ms/{user}/orders"),
    ("orders", "GET", "/order-ms/{user}/orders/{order}"),
    ("delivery", "GET", "/delivery-ms/{status}"), ("delivery", "GET", "/delivery-ms/{owner}/{order}"),
    ("delivery", "PUT", "/delivery-ms/{owner}/{order}"),
    ("tts", "POST", "/tts"), ("tts", "GET", "/tts/voices"), ("tts", "GET", "/tts/{entry}"), ("tts", "GET", "/tts/{entry}.mp3"),
    ("legacy", "POST", "/output"), ("legacy", "GET", "/files/{name}"),
    ("unrouted", "GET", "/"), ("unrouted", "GET", "/{x}"), ("unrouted", "GET", "/order-ms"),
    ("unrouted", "GET", "/order-ms/{user}"),
    ("unrouted", "POST", "/order-ms/{user}/orders/{order}/{x}"), ("unrouted", "GET", "/delivery-ms"),
    ("unrouted", "GET", "/ttsx"), ("unrouted", "GET", "/tts/{entry}/{x}"), ("unrouted", "GET", "/files"),
    ("unrouted", "GET", "/health/{x}"), ("unrouted", "POST", "/auth/{x}"), ("unrouted", "POST", "/output/{x}"),
)
FAMILIES = tuple(dict.fromkeys(family for family, _, _ in ROUTES))
WRITES = tuple(r for r in ROUTES if r[1] in ("POST", "PUT") and r[0] != "unrouted")

# -- strategies: text, JSON, path segments ---------------------------------------------------------

ODD_STRINGS = (
    "", " ", "\x00", "a\x00b", "\u202egnp.exe", "\u200f\u200e\u200b", "e\u0301\u0301\u0301\u0301", "Z\u0338\u0322a\u0334",
    "\U0001f600" * 3, "\U0001f469\u200d\U0001f469\u200d\U0001f467", "\ufeff", "\uffff", "\U0010ffff", "\ud800", "\udfff",
    "a\udc80b", "\r\n", "\t", "%00", "../../etc/passwd", "..\\..\\boot.ini", "/etc/passwd", "C:\\Windows", "\U0001d552\U0001d553",
    "\u0661\u0662\u0663", "\u00b2", "NaN", "Infinity", "-0", "1e309", "0x10", " 5000 ", "5000.0", "5,000", "true", "null",
    "[]", "{}", "x" * 101, "x" * 5001, "<script>alert(1)</script>", "'; DROP TABLE orders; --", "{{7*7}}", "${jndi:ldap://x}",
    "staff", "received", "cancelled", "en", "espeak", "gtts", "auto",
)
odd_text = st.one_of(st.sampled_from(ODD_STRINGS), st.text(max_size=30),
                     st.text(st.characters(exclude_categories=()), max_size=12))  # surrogates too
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.integers(-(2**80), 2**80), st.floats(), odd_text)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(odd_text, inner, max_size=3),
                           max_leaves=8)

TRAVERSALS = (
    b"..", b"../..", b"..%2f..%2fetc%2fpasswd", b"%2e%2e%2f%2e%2e%2f", b"%2e%2e", b"%2E%2E/%2E%2E/", b"..%5c..%5cwindows",
    b"..\\..\\boot.ini", b"%252e%252e%252f", b"....//....//", b"%c0%ae%c0%ae%c0%af", b"/etc/passwd", b"%2fetc%2fpasswd",
    b"C:%5cWindows%5cwin.ini", b"C:\\Windows", b"%00", b"a%00b", b"x\x00y", b".", b"%2e", b"~root", b"%", b"%zz",
    b"%u002e%u002e", b";", b"a;b=c", b"a%3Fb", b"a%23b", b"a%20b", b"%0d%0aSet-Cookie:%20x=1", b"x" * 300, b"%ff%fe",
    b"%e2%80%ae", b"%ed%a0%80", b"\xff\xfe", b"\xc3\xa9", b"%F0%9F%98%80", b"a%2fb", b"a%2Fb%2F..", b"%5c", b"",
    b"file:%2f%2f%2fetc%2fpasswd", b"%2e%2e%2f%2e%2e%2forder-ms%2fsomeone%2forders",
)
REQUEST_LINE_BREAKERS = frozenset(b" \r\n\t?#")
segments = st.one_of(
    st.sampled_from(TRAVERSALS),
    odd_text.map(lambda s: quote(s.encode("utf-8", "surrogatepass"), safe="").encode()),  # percent-encoded, any bytes
    st.binary(max_size=16).map(lambda b: quote(b, safe="").encode()),
    st.binary(min_size=1, max_size=16).map(lambda b: bytes(c for c in b if c not in REQUEST_LINE_BREAKERS)),  # raw bytes
    st.from_regex(rb"\A[A-Za-z0-9_-]{1,64}\Z"),
)
PLAUSIBLE = {
    "user": st.sampled_from([Known("me"), Known("me"), Known("other"), Known("staff")]),
    "owner": st.integers(0, 5).map(lambda i: Known("owner", i)),
    "order": st.one_of(st.integers(0, 5).map(lambda i: Known("order", i)), st.just(Known("uuid"))),
    "status": st.sampled_from([s.encode() for s in STATUSES] + [b"RECEIVED", b"lost"]),
    "entry": st.one_of(st.just(Known("entry")), st.from_regex(rb"\A[0-9a-f]{32}\Z")),
    "name": st.sampled_from([Known("name"), b"greeting.mp3", b"no-such-name"]),
    "x": segments,
}


def mostly(usual, odd, odds: int):
    """`odd` one time in `odds`, else `usual` (st.one_of would weigh each of odd's own branches
    as one of its choices)."""
    return st.integers(0, odds - 1).flatmap(lambda n: odd if n == odds - 1 else usual)


def params(mostly_plausible: bool):
    """Path parameters: every placeholder either a plausible value or a hostile segment."""
    odds = 4 if mostly_plausible else 2
    return st.fixed_dictionaries({name: mostly(plausible, segments, odds) for name, plausible in PLAUSIBLE.items()})


queries = st.one_of(
    st.just(b""),
    st.lists(st.tuples(st.sampled_from([b"limit", b"offset", b"engine", b"download", b"x", b""]) | segments,
                       st.sampled_from([b"1", b"0", b"-1", b"100", b"101", b" 5", b"1e3", b"99999999999", b"", b"gtts", b"espeak",
                                        b"auto", b"true", b"%00", b"%ff"]) | segments),
             max_size=4).map(lambda pairs: b"&".join(k + b"=" + v for k, v in pairs)),
    st.binary(max_size=30).map(lambda b: bytes(c for c in b if c not in REQUEST_LINE_BREAKERS - {ord("?")})),
)

# -- strategies: authorization ---------------------------------------------------------------------

claims = st.fixed_dictionaries({}, optional={
    "sub": st.one_of(st.just(Known("customer")), st.just(Known("other")), json_values),
    "role": st.one_of(st.sampled_from(["staff", "customer", "Staff"]), json_values),
    "exp": st.one_of(st.integers(-(2**40), 2**40), st.just(Known("later")), json_values),
    "iat": st.one_of(st.integers(), json_values), "nbf": st.one_of(st.integers(), json_values),
    "aud": json_values, "email": json_values,
})
no_newlines = lambda b: bytes(c for c in b if c not in b"\r\n")  # noqa: E731
signed_in = st.sampled_from(["customer", "customer", "staff", "staff", "other", "none"])
authorizations = mostly(signed_in, st.one_of(
    st.binary(max_size=60).map(no_newlines),
    odd_text.map(lambda s: no_newlines(("Bearer " + s).encode("utf-8", "surrogatepass"))),
    st.sampled_from([b"Bearer", b"Bearer ", b"bearer x", b"Basic dXNlcjpwYXNz", b"Bearer a.b.c", b"Bearer ..", b"Bearer  x",
                     b"Bearer " + b"A" * 5000, b"Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4Iiwicm9sZSI6InN0YWZmIn0.",
                     b"Bearer \xff\xfe", b"Bearer e30.e30.", b"Bearer eyJhbGciOiJIUzI1NiJ9.W10.x"]),
    st.builds(Forged, claims, st.sampled_from(["HS256", "HS256", "HS512", "none"])),
), odds=4)

# -- strategies: bodies ----------------------------------------------------------------------------


def shaped(**fields):
    """A JSON object with the route's fields, all of them plausible or each maybe missing, maybe
    of any type; and maybe extra fields."""
    mixed = st.fixed_dictionaries({}, optional={name: st.one_of(plausible, json_values) for name, plausible in fields.items()})
    extras = st.one_of(st.just({}), st.dictionaries(odd_text, json_values, max_size=2))
    return st.tuples(st.one_of(st.fixed_dictionaries(fields), mixed), extras).map(lambda both: {**both[1], **both[0]})


ODD_CHARS = ("\ud800", "\udfff", "\x00", "\u202e", "\u200f", "\u0301", "\U0001f600", "\ufeff", "\uffff", "\n", "\\", "/", "..",
             "%00", "\u0663", "\u00e9", "\u0130", "\U000e0001")
odd_chars = mostly(st.sampled_from(ODD_CHARS), st.characters(exclude_categories=()), odds=4)


def spiced(strings):
    """Plausible text, and the same with odd characters put in: what gets past a loose check."""
    def put(args):
        text, extras = args
        for at, char in extras:
            text = text[: at % (len(text) + 1)] + char + text[at % (len(text) + 1):]
        return text
    spice = st.lists(st.tuples(st.integers(0, 100), odd_chars), min_size=1, max_size=3)
    return mostly(strings, st.tuples(strings, spice).map(put), odds=4)


emails = mostly(st.one_of(spiced(st.from_regex(r"\A[a-z0-9.+]{1,10}@[a-z]{1,8}\.[a-z]{2,4}\Z")), st.just(Known("email"))),
                odd_text, odds=4)
passwords = mostly(st.one_of(spiced(st.sampled_from(["a good password 1", "0123456789x", "P\u00e4ssw\u00f6rter 99"])),
                             spiced(st.from_regex(r"\A[A-Za-z0-9 !]{6,14}\Z")), st.just(Known("password"))), odd_text, odds=4)
coffee = shaped(coffee_name=mostly(spiced(st.sampled_from(["latte", " mocha ", "x" * 100, "caf\u00e9"])), odd_text, odds=4),
                coffee_price=st.one_of(st.integers(-5, 1_000_005), st.sampled_from(["5000", " 12 ", "-1", "1e3", "\u0663"])),
                coffee_qty=st.one_of(st.integers(-1, 101), st.sampled_from(["3", "0", "101", True])))
speech = dict(lang=spiced(st.sampled_from(["en", "en", "pt", "de", "zz", "", "EN", "en-US", "cmn"])),
              engine=st.sampled_from(["espeak", "espeak", "espeak", "gtts", "auto", "GTTS", ""]), slow=st.booleans(),
              name=mostly(spiced(st.from_regex(r"\A[A-Za-z0-9_-]{1,10}\Z")), odd_text, odds=4))
short_text = mostly(spiced(st.sampled_from(["hello", "ol\u00e1", "a", "1", "   ", "!!!", "\u00b2", "x" * 5001])),
                    st.one_of(st.text(max_size=24), odd_text), odds=3)
BODIES = {
    "/auth/signup": shaped(email=emails, password=passwords),
    "/auth/signin": shaped(email=emails, password=passwords),
    "/order-ms/{user}/orders": coffee,
    "/delivery-ms/{owner}/{order}": shaped(status=spiced(st.sampled_from(STATUSES + ("", "RECEIVED")))),
    "/tts": shaped(text=short_text, **speech),
    "/output": shaped(message=short_text, **speech),
}
malformed_json = st.one_of(
    st.binary(max_size=120),
    st.tuples(json_values.map(json.dumps), st.integers(0, 200)).map(lambda t: t[0].encode()[: t[1]]),  # cut short
    st.tuples(json_values.map(json.dumps), st.binary(min_size=1, max_size=10)).map(lambda t: t[0].encode() + t[1]),  # trailing junk
    st.sampled_from([b"", b"{", b"}", b"{'text': 'hi'}", b'{"text": "hi",}', b'{"text" "hi"}', b"NaN", b"[1,2",
                     b'{"text": "\\ud800"}', b'{"text": "\\x00"}', b'{"a":1}{"b":2}', b"\xef\xbb\xbf{}",
                     b'{"text": "hi" /* c */}', b"\xff\xfe{\x00}\x00", b'"\\u0000"', b"1" * 5000,
                     b'{"coffee_qty": 1' + b"0" * 5000 + b"}", b'{"a": 1e999999}',
                     b'{"text": "' + b"\\" * 1001 + b'"}', b'{"status": "cancelled", "status": 7}', b'{"email": "\xc3\x28"}',
                     b'{"text": "caf\xe9"}', b"\x00" * 64, b"null", b"true", b"[]", b"3", b'"a string"']),
)
any_json = st.one_of(json_values, st.lists(json_values, max_size=3))
CONTENT_TYPES = (b"application/json",) * 6 + (
    b"application/json; charset=utf-8", b"application/json; charset=latin-1", b"application/json; charset=bogus",
    b"text/plain", b"application/x-www-form-urlencoded", b"multipart/form-data; boundary=x", b"application/merge-patch+json",
    b"APPLICATION/JSON", b"application/jsonx", b"", None, b"\xff\xfe", b"application/json; \x00")


def encode(value, how: str) -> bytes:
    if how == "ascii":
        return json.dumps(value).encode()
    text = json.dumps(value, ensure_ascii=False)
    return text.encode("utf-8", "surrogatepass") if how == "utf-8" else text.encode(how, "surrogatepass")


def bodies_for(template: str):
    encodings = st.sampled_from(["ascii", "ascii", "utf-8", "utf-16", "utf-32"])
    return mostly(st.tuples(BODIES[template], encodings),  # the right shape, resolved when sent
                  st.one_of(st.tuples(any_json, encodings).map(lambda t: encode(*t)),  # the wrong type at the top
                            malformed_json), odds=2)


# -- building and sending --------------------------------------------------------------------------

class Request(NamedTuple):
    method: bytes
    template: str
    values: dict  # path parameters
    query: bytes = b""
    auth: object = "none"
    body: object = None  # bytes, or (object with Known values, encoding)
    content_type: bytes | None = b"application/json"
    extra: tuple = ()  # (name, value) header lines, raw
    length: bytes | None = None  # a Content-Length other than the body's
    chunked: bytes | None = None  # a Transfer-Encoding to send the body with
    overflow: bytes = b""  # bytes after the body
    host: bool = True


def resolve(stack: Stack, value, me: str):
    if isinstance(value, Known):
        user = stack.users.get(me, stack.users["customer"])
        order = stack.orders[value.index % len(stack.orders)]
        return {"me": user["user_id"], "customer": stack.users["customer"]["user_id"], "other": stack.users["other"]["user_id"],
                "staff": stack.users["staff"]["user_id"], "order": order[1], "owner": order[0], "uuid": str(uuid.uuid4()),
                "entry": stack.entry, "name": stack.name, "email": user["email"], "password": user["password"],
                "later": 2**31}[value.kind]
    if isinstance(value, dict):
        return {k: resolve(stack, v, me) for k, v in value.items()}
    return value


def authorization(stack: Stack, auth) -> bytes | None:
    if auth == "none":
        return None
    if isinstance(auth, str):
        return b"Bearer " + stack.users[auth]["token"].encode()
    if isinstance(auth, Forged):
        secret = (stack.data / "gateway" / "jwt.secret").read_text().strip()
        key = None if auth.algorithm == "none" else secret
        token = jwt.encode(resolve(stack, auth.claims, "customer"), key, algorithm=auth.algorithm)
        return b"Bearer " + token.encode()
    return auth


def render(stack: Stack, req: Request) -> bytes:
    me = req.auth if isinstance(req.auth, str) else "customer"
    path = req.template.encode()
    for name, value in req.values.items():
        value = resolve(stack, value, me)
        path = path.replace(b"{" + name.encode() + b"}", value.encode() if isinstance(value, str) else value)
    target = path + (b"?" + req.query if req.query else b"")
    body = req.body
    if isinstance(body, tuple):
        body = encode(resolve(stack, body[0], me), body[1])
    lines = [req.method + b" " + target + b" HTTP/1.1", b"Connection: close"]
    if req.host:
        lines.append(b"Host: 127.0.0.1:%d" % stack.port)
    if (auth := authorization(stack, req.auth)) is not None:
        lines.append(b"Authorization: " + auth)
    if body is not None and req.content_type is not None:
        lines.append(b"Content-Type: " + req.content_type)
    lines += [name + b": " + value for name, value in req.extra]
    if req.chunked is not None:
        lines.append(b"Transfer-Encoding: " + req.chunked)
        body = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in _parts(body or b"")) + b"0\r\n\r\n"
    elif req.length is not None:
        lines.append(b"Content-Length: " + req.length)
    elif body is not None:
        lines.append(b"Content-Length: %d" % len(body))
    return b"\r\n".join(lines) + b"\r\n\r\n" + (body or b"") + req.overflow


def _parts(body: bytes, size: int = 4096):
    return [body[i:i + size] for i in range(0, len(body), size)]


routes = mostly(st.sampled_from([r for r in ROUTES if r[0] != "unrouted"]), st.sampled_from(ROUTES), odds=4)
write_routes = st.sampled_from(WRITES)


def default_body(template: str):
    return st.one_of(st.none(), st.tuples(BODIES[template], st.just("ascii"))) if template in BODIES else st.none()
