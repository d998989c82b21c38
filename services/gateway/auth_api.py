"""/auth: sign up, sign in, and who the caller is; signed_in() for every view that needs a login.

Sign-in attempts are throttled per account and per address (throttle.py); a signup that finds the
email taken counts as a failed sign-in, since it tells the caller that the account exists.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from services.common.errors import ApiError
from services.common.validation import json_object
from services.gateway.auth import unauthorized
from services.gateway.credentials import normalize_email
from services.gateway.parts import current

bp = Blueprint("auth", __name__, url_prefix="/auth")


@bp.post("/signup")
def signup():
    gateway = current()
    body = json_object()
    gateway.throttle.check(None, request.remote_addr)
    try:
        return jsonify(gateway.users.add(body.get("email"), body.get("password"))), 201
    except ApiError as error:
        if error.code == "email_taken":  # one answer that says an account exists: counted like a failed sign-in
            gateway.throttle.failed(None, request.remote_addr)
        raise


@bp.post("/signin")
def signin():
    gateway = current()
    gateway.users.apply_inbox(gateway.inbox)
    body = json_object()
    account = normalize_email(body.get("email")) or "(not an email)"
    gateway.throttle.check(account, request.remote_addr)
    user = gateway.users.verify(body.get("email"), body.get("password"))
    if user is None:
        gateway.throttle.failed(account, request.remote_addr)
        raise ApiError(401, "unauthorized", "wrong email or password", headers={"WWW-Authenticate": "Bearer"})
    gateway.throttle.succeeded(account)
    tokens = gateway.tokens
    return jsonify(token=tokens.issue(user), token_type="Bearer", expires_in=tokens.ttl_s, **user)


@bp.get("/me")
def me():
    return jsonify(signed_in())


def signed_in() -> dict:
    """The caller's account, from their token: refused when the account is gone (deleted, or
    a store made anew under the same secret), whatever the token's signature says."""
    gateway = current()
    claims = gateway.tokens.verify(request.headers.get("Authorization"))
    user = gateway.users.get(claims["sub"])
    if user is None:
        raise unauthorized("the token's account no longer exists: sign in again")
    return {**claims, **user}
