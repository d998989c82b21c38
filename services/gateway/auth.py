"""Access control at the gateway: users, passwords, signed tokens, and who may reach what.

- Users live in a TinyDB store under data/gateway/users, owned by the gateway process.
- Passwords: salted, slow scrypt hashes (werkzeug.security, from Flask's own stack).
- Tokens: HS256 JWTs (PyJWT) with subject, role and expiry. Only HS256 is accepted: a token
  signed with `none` or another algorithm is refused.
- The signing secret comes from GATEWAY_JWT_SECRET, or is generated once and kept in
  data/gateway/jwt.secret with mode 0600; it is never in the code or in git.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import threading
import time
from pathlib import Path

import jwt
from tinydb import Query, TinyDB
from werkzeug.security import check_password_hash, generate_password_hash

from services.common.errors import ApiError
from services.common.tablefiles import TableFilesStorage
from services.common.validation import is_unicode

ALGORITHM = "HS256"
EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,63}")
EMAIL_MAX = 254  # RFC 5321's limit on a whole address
MIN_PASSWORD = 10
USER_ID = re.compile(r"USER(\d{4,})")


def load_secret(data_dir: Path, environ=os.environ) -> str:
    if environ.get("GATEWAY_JWT_SECRET"):
        return environ["GATEWAY_JWT_SECRET"]
    path = data_dir / "jwt.secret"
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # the first start makes it
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def check_password(password) -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise _invalid("password", f"must be at least {MIN_PASSWORD} characters")
    if not is_unicode(password):  # a lone surrogate cannot be hashed
        raise _invalid("password", "must be valid Unicode")
    if not (re.search(r"[A-Za-z]", password) and re.search(r"[^A-Za-z]", password)):
        raise _invalid("password", "must mix letters with digits or symbols")
    return password


def check_email(email) -> str:
    if not isinstance(email, str) or len(email) > EMAIL_MAX or not is_unicode(email) or not EMAIL.fullmatch(email.strip()):
        raise _invalid("email", "must be an email address")
    return email.strip().lower()


class UserStore:
    def __init__(self, directory: Path):
        self.table = TinyDB(directory, storage=TableFilesStorage).table("users")
        self.lock = threading.Lock()

    def add(self, email: str, password: str, role: str = "customer") -> dict:
        email, password = check_email(email), check_password(password)
        with self.lock:
            if self.table.get(Query().email == email):
                raise ApiError(409, "email_taken", f"{email} has an account already")
            user = {"user_id": self._next_user_id(), "email": email, "role": role,
                    "password": generate_password_hash(password), "created": time.time()}
            self.table.insert(user)
        return _public(user)

    def apply_inbox(self, inbox: Path) -> list[str]:
        """Staff accounts requested on this machine (`platform user add --staff`): the gateway is
        the store's only owner, so the CLI leaves 0600 request files here instead of writing it."""
        applied = []
        for path in sorted(inbox.glob("*.json")) if inbox.is_dir() else []:
            try:
                wanted = json.loads(path.read_text())
                email, password_hash = check_email(wanted["email"]), wanted["password"]
            except (OSError, ValueError, KeyError, ApiError):
                path.rename(path.with_suffix(".rejected"))
                continue
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
        if not isinstance(email, str) or not isinstance(password, str) or not is_unicode(password):
            return None  # no such password was ever stored
        with self.lock:
            user = self.table.get(Query().email == email.strip().lower())
        return _public(user) if user and check_password_hash(user["password"], password) else None


class Tokens:
    def __init__(self, secret: str, ttl_s: int):
        self.secret, self.ttl_s = secret, ttl_s

    def issue(self, user: dict) -> str:
        now = int(time.time())
        claims = {"sub": user["user_id"], "email": user["email"], "role": user["role"], "iat": now, "exp": now + self.ttl_s}
        return jwt.encode(claims, self.secret, algorithm=ALGORITHM)

    def verify(self, header: str | None) -> dict:
        if not header or not header.startswith("Bearer "):
            raise unauthorized("a token is needed: sign in at /auth/signin", "invalid_request")
        try:
            return jwt.decode(header[len("Bearer "):], self.secret, algorithms=[ALGORITHM], options={"require": ["exp", "sub"]})
        except jwt.ExpiredSignatureError:
            raise unauthorized("the token has expired: sign in again") from None
        except jwt.InvalidTokenError:
            raise unauthorized("the token is not valid") from None


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
        if method == "PUT" and (body or {}).get("status") != "cancelled":
            raise forbidden("changing a delivery's status needs the staff role (customers may cancel)")


def unauthorized(message: str, error: str = "invalid_token") -> ApiError:
    return ApiError(401, "unauthorized", message, headers={"WWW-Authenticate": f'Bearer error="{error}"'})


def forbidden(message: str) -> ApiError:
    return ApiError(403, "forbidden", message)


def _invalid(field: str, message: str) -> ApiError:
    return ApiError(400, "invalid_field", f"{field} {message}", field=field)


def _public(user) -> dict:
    return {k: user[k] for k in ("user_id", "email", "role")}
