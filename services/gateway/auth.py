"""Access control at the gateway: users, passwords, signed tokens, and who may reach what.

- Users live in a TinyDB store under data/gateway/users, owned by the gateway process.
- Passwords: salted, slow scrypt hashes (werkzeug.security, from Flask's own stack).
- Tokens: HS256 JWTs (PyJWT) with subject, role and expiry. Only HS256 is accepted: a token
  signed with `none` or another algorithm is refused.
- The signing secret comes from GATEWAY_JWT_SECRET, or is generated once and kept in
  data/gateway/jwt.secret with mode 0600; it is never in the code or in git.
"""

from __future__ import annotations

import os
import re
import secrets
import threading
import time
from pathlib import Path

import jwt
from tinydb import Query, TinyDB
from werkzeug.security import check_password_hash, generate_password_hash

from services.common.atomicfile import make_private_dir, write_private
from services.common.errors import ApiError
from services.common.statuses import canonical
from services.common.tablefiles import TableFilesStorage
from services.common.validation import is_unicode
from services.gateway.credentials import check_email, check_password, normalize_email

ALGORITHM = "HS256"
USER_ID = re.compile(r"USER(\d{4,})")
MIN_SECRET = 32  # bytes: HS256's key should be no shorter than its 256-bit hash
VERIFIED_MAX = 10_000  # tokens whose signature was checked, kept until expiry; emptied when full


def load_secret(data_dir: Path, environ=os.environ) -> str:
    """GATEWAY_JWT_SECRET, else the one generated at the first start into data/gateway/jwt.secret
    (0600, written whole: a crash never leaves an empty or half key). ValueError for a key too
    short to sign with: anyone could forge tokens with a guessed one."""
    given = environ.get("GATEWAY_JWT_SECRET")
    if given is not None:
        if len(given.encode()) < MIN_SECRET:
            raise ValueError(f"GATEWAY_JWT_SECRET is {len(given.encode())} bytes; at least {MIN_SECRET} are needed")
        return given
    path = data_dir / "jwt.secret"
    make_private_dir(data_dir)
    try:
        write_private(path, secrets.token_urlsafe(48).encode(), exclusive=True)  # the first start makes it
    except FileExistsError:
        pass  # made at an earlier start, or by a gateway starting beside this one
    secret = path.read_text().strip()
    if len(secret.encode()) < MIN_SECRET:
        raise ValueError(f"{path} holds {len(secret.encode())} bytes; at least {MIN_SECRET} are needed "
                         f"(remove it to have a new one made; every token signed with it stops working)")
    return secret


class UserStore:
    def __init__(self, directory: Path):
        self.table = TinyDB(directory, storage=TableFilesStorage).table("users")
        self.lock = threading.Lock()
        self._decoy: str | None = None

    def add(self, email: str, password: str, role: str = "customer") -> dict:
        email = check_email(email)
        password = check_password(password, email)
        with self.lock:
            if self.table.get(Query().email == email):
                raise ApiError(409, "email_taken", f"{email} has an account already")
            user = {"user_id": self._next_user_id(), "email": email, "role": role,
                    "password": generate_password_hash(password), "created": time.time()}
            self.table.insert(user)
        return _public(user)

    def apply_inbox(self, inbox: Path) -> list[str]:
        """Staff accounts requested on this machine (staff.py): the gateway is the store's only
        owner, so `platform user add --staff` leaves requests there instead of writing it."""
        from services.gateway.staff import pending

        applied = []
        for path, email, password_hash in pending(inbox):
            with self.lock:
                if self.table.get(Query().email == email):
                    self.table.update({"role": "staff", "password": password_hash}, Query().email == email)
                else:
                    self.table.insert({"user_id": self._next_user_id(), "email": email, "role": "staff",
                                       "password": password_hash, "created": time.time()})
            path.unlink()
            applied.append(email)
        return applied

    def _next_user_id(self) -> str:
        """USER0001, USER0002, ...: the ids of the original documents' paths (/order-ms/USER0001/orders),
        short enough to read and type. Callers hold self.lock. Accounts made before (hex ids) keep theirs."""
        taken = [int(m.group(1)) for u in self.table.all() if (m := USER_ID.fullmatch(u.get("user_id", "")))]
        return f"USER{max(taken, default=0) + 1:04d}"

    def get(self, user_id: str) -> dict | None:
        """The account with this id, or None (deleted, or never made)."""
        with self.lock:
            user = self.table.get(Query().user_id == user_id)
        return _public(user) if user else None

    def verify(self, email, password) -> dict | None:
        """The account, if the password is its own. Every attempt costs one scrypt, whether the
        email has an account or not: the time of the answer tells no one which emails exist."""
        normal = normalize_email(email)
        user = None
        if normal is not None:
            with self.lock:
                user = self.table.get(Query().email == normal)
        if not isinstance(password, str) or not is_unicode(password):
            password = ""  # no such password was ever stored; hashed all the same
        matches = check_password_hash(user["password"] if user else self._decoy_hash(), password)
        return _public(user) if user and matches else None

    def _decoy_hash(self) -> str:
        """A hash made like every stored one (same method, same cost), checked when there is no account."""
        if self._decoy is None:
            self._decoy = generate_password_hash(secrets.token_urlsafe(16))
        return self._decoy


class Tokens:
    """Issues and verifies tokens. A token whose signature and claims were checked once is kept
    (token -> claims) and taken on its next request with only its expiry checked again: a client
    sends the same token on every request until it expires, and the decode was about a sixth of
    the gateway's own work on a proxied request (py-spy, issue 19). Only a token that passed
    every check is kept, so a forged one costs the full check each time and never fills it."""

    def __init__(self, secret: str, ttl_s: int, clock=time.time):
        self.secret, self.ttl_s, self.clock = secret, ttl_s, clock
        self._verified: dict[str, dict] = {}

    def issue(self, user: dict) -> str:
        now = int(self.clock())
        claims = {"sub": user["user_id"], "email": user["email"], "role": user["role"], "iat": now, "exp": now + self.ttl_s}
        return jwt.encode(claims, self.secret, algorithm=ALGORITHM)

    def verify(self, header: str | None) -> dict:
        if not header or not header.startswith("Bearer "):
            raise unauthorized("a token is needed: sign in at /auth/signin", "invalid_request")
        token = header[len("Bearer "):]
        claims = self._verified.get(token)
        if claims is not None:
            if self.clock() < claims["exp"]:  # PyJWT's own rule: expired once now >= exp
                return dict(claims)
            self._verified.pop(token, None)
            raise unauthorized("the token has expired: sign in again")
        try:
            claims = jwt.decode(token, self.secret, algorithms=[ALGORITHM], options={"require": ["exp", "sub"]})
        except jwt.ExpiredSignatureError:
            raise unauthorized("the token has expired: sign in again") from None
        except jwt.InvalidTokenError:
            raise unauthorized("the token is not valid") from None
        # PyJWT reads `exp` with int(), so "9999999999" (a string) would pass as a time.
        if any(isinstance(claims.get(k), bool) or not isinstance(claims.get(k, 0), (int, float)) for k in ("exp", "iat", "nbf")) \
                or not isinstance(claims["sub"], str):
            raise unauthorized("the token is not valid")
        if len(self._verified) >= VERIFIED_MAX:
            self._verified.clear()  # a bound, not a policy: the next requests check their tokens again
        self._verified[token] = claims
        return dict(claims)


def authorize(method: str, path: str, claims: dict, body: dict | None) -> None:
    """Who may reach what. Staff reach everything; a customer reaches their own orders and
    deliveries, may cancel their own order, and uses text to speech."""
    if claims.get("role") == "staff":
        return
    parts = path.strip("/").split("/")
    if parts[0] == "order-ms" and (len(parts) < 2 or parts[1] != claims["sub"]):
        raise forbidden("a customer reaches only their own orders")
    if parts[0] == "delivery-ms":
        if len(parts) == 2:
            raise forbidden("listing deliveries by status needs the staff role")
        if len(parts) >= 2 and parts[1] != claims["sub"]:
            raise forbidden("a customer reaches only their own deliveries")
        if method == "PUT" and canonical((body or {}).get("status")) != "cancelled":  # or 취소
            raise forbidden("changing a delivery's status needs the staff role (customers may cancel)")


def unauthorized(message: str, error: str = "invalid_token") -> ApiError:
    return ApiError(401, "unauthorized", message, headers={"WWW-Authenticate": f'Bearer error="{error}"'})


def forbidden(message: str) -> ApiError:
    return ApiError(403, "forbidden", message)


def _public(user) -> dict:
    return {k: user[k] for k in ("user_id", "email", "role")}
