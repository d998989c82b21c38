"""Who is signed in: the gateway's JWT in an HttpOnly, SameSite=Strict cookie, and a CSRF token.

The dashboard keeps no accounts: signing in is the gateway's /auth/signin with the user's email
and password, and the token it returns is the cookie. Who the token belongs to (and their role)
is asked of the gateway's /auth/me, remembered for a few seconds. Every POST must carry the
CSRF token, an HMAC of the cookie under a key made at start: a page on another site can neither
send the Strict cookie nor read the token.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from functools import wraps

from flask import Flask, current_app, g, redirect, request, url_for

from platform_cli.dashboard.errors import DashboardError

COOKIE = "platform_token"
ME_TTL_S = 10.0


def init_app(app: Flask) -> None:
    app.extensions["dashboard.me"] = {}  # token -> (checked_at, user)


def csrf_token(token: str) -> str:
    return hmac.new(current_app.config["CSRF_KEY"], token.encode(), hashlib.sha256).hexdigest()


def set_cookie(response, token: str, max_age: int):
    response.set_cookie(COOKIE, token, max_age=max_age, httponly=True, samesite="Strict", path="/",
                        secure=current_app.config["COOKIE_SECURE"])
    return response


def current_user() -> dict | None:
    """{user_id, email, role, token} of the cookie's token, or None (no cookie, expired, revoked)."""
    return user_of(request.cookies.get(COOKIE))


def user_of(token: str | None) -> dict | None:
    """The account a token stands for, as the gateway says (asked again after ME_TTL_S), or None."""
    if not token:
        return None
    cache = current_app.extensions["dashboard.me"]
    checked = cache.get(token)
    if checked and time.monotonic() - checked[0] < ME_TTL_S:
        return checked[1]
    from platform_cli.dashboard.gateway import gateway
    from platform_cli.errors import PlatformError

    try:
        me = gateway(token).get("auth", "me")
    except PlatformError:
        cache.pop(token, None)
        return None
    user = {"user_id": me["user_id"], "email": me["email"], "role": me.get("role", "customer"), "token": token}
    if len(cache) > 1000:
        cache.clear()
    cache[token] = (time.monotonic(), user)
    return user


def signed_in(staff: bool = False, page: bool = False):
    """Views behind a login; `page`: send a browser to the login page instead of a JSON 401."""
    def wrap(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            user = current_user()
            if user is None:
                if page:
                    return redirect(url_for("views.login_page"))
                raise DashboardError(401, "unauthorized", "sign in first")
            if staff and user["role"] != "staff":
                raise DashboardError(403, "forbidden", "this needs the staff role")
            if request.method == "POST":
                given = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token") or ""
                if not hmac.compare_digest(given, csrf_token(user["token"])):
                    raise DashboardError(403, "csrf_failed", "the request has no valid CSRF token: reload the page")
            g.user = user
            return view(*args, **kwargs)
        return guarded
    return wrap
