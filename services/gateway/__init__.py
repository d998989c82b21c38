"""gateway: one entry point in front of the services, routing by path prefix (routes.py).

Every response carries an X-Request-ID (the client's, or a new one), which is also sent upstream
and written in one access-log line per request. Every routed path needs a token from
/auth/signin (see auth.py); /health and /auth/* are open.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
import uuid
from pathlib import Path

from flask import Flask, g, jsonify, request

from services.common import errors, hosts

REQUEST_ID_MAX = 128
access_log = logging.getLogger("gateway.access")


def create_app(config: dict | None = None) -> Flask:
    """config: UPSTREAMS ({service: base url}; default from <NAME>_URL), GATEWAY_TIMEOUT (s),
    GATEWAY_MAX_BODY (bytes), GATEWAY_CORS_ORIGINS (comma-separated origins), GATEWAY_RESTART_WAIT
    (s a request waits for an upstream refusing connections)."""
    from flask_cors import CORS

    from services.gateway.auth import Tokens, UserStore, authorize, load_secret, unauthorized
    from services.gateway.credentials import normalize_email
    from services.gateway.fairness import SpeechGate
    from services.gateway.throttle import SignInThrottle
    from services.gateway.proxy import Proxy, request_target
    from services.gateway.routes import route, upstreams_from
    from services.common.validation import json_object

    app = Flask("gateway")
    # Its own paths answer with one trailing slash too, as every service's do (no redirect).
    app.url_map.strict_slashes = False
    _log_access_to_stdout()
    app.config.update(
        UPSTREAMS=upstreams_from(),
        GATEWAY_TIMEOUT=float(os.environ.get("GATEWAY_TIMEOUT", "10")),
        GATEWAY_CONNECT_TIMEOUT=float(os.environ.get("GATEWAY_CONNECT_TIMEOUT", "1")),
        # How long a request waits for an upstream that refuses connections (restarting) before a 503.
        GATEWAY_RESTART_WAIT=float(os.environ.get("GATEWAY_RESTART_WAIT", "2")),
        MAX_CONTENT_LENGTH=int(os.environ.get("GATEWAY_MAX_BODY", str(1024 * 1024))),  # 413 before any upstream
        GATEWAY_CORS_ORIGINS=os.environ.get("GATEWAY_CORS_ORIGINS", ""),
        DATA_DIR=os.environ.get("PLATFORM_DATA_DIR", "data"),
        TOKEN_TTL=int(os.environ.get("GATEWAY_TOKEN_TTL", "3600")),
        # Failed sign-ins allowed in a moving window (limits' notation), per email and per client address.
        GATEWAY_SIGNIN_PER_ACCOUNT=os.environ.get("GATEWAY_SIGNIN_PER_ACCOUNT", "5/minute"),
        GATEWAY_SIGNIN_PER_ADDRESS=os.environ.get("GATEWAY_SIGNIN_PER_ADDRESS", "30/minute"),
        # Speech requests in flight, per account and in all (below the 8 serving threads: see fairness.py).
        GATEWAY_SPEECH_PER_ACCOUNT=int(os.environ.get("GATEWAY_SPEECH_PER_ACCOUNT", "1")),
        GATEWAY_SPEECH_MAX=int(os.environ.get("GATEWAY_SPEECH_MAX", "4")),
    )
    app.config.update(config or {})
    gateway_dir = Path(app.config["DATA_DIR"]) / "gateway"
    users = app.extensions["gateway.users"] = UserStore(gateway_dir / "users")
    users.apply_inbox(gateway_dir / "inbox")
    tokens = app.extensions["gateway.tokens"] = Tokens(load_secret(gateway_dir), app.config["TOKEN_TTL"])
    speech = SpeechGate(app.config["GATEWAY_SPEECH_PER_ACCOUNT"], app.config["GATEWAY_SPEECH_MAX"])
    throttle = SignInThrottle(app.config["GATEWAY_SIGNIN_PER_ACCOUNT"], app.config["GATEWAY_SIGNIN_PER_ADDRESS"])
    origins = [o.strip() for o in app.config["GATEWAY_CORS_ORIGINS"].split(",") if o.strip()]
    if origins:
        CORS(app, origins=origins, expose_headers=["X-Request-ID"])
    proxy = Proxy(app.config["UPSTREAMS"], app.config["GATEWAY_CONNECT_TIMEOUT"], app.config["GATEWAY_TIMEOUT"],
                  app.config["GATEWAY_RESTART_WAIT"])
    app.extensions["gateway.proxy"] = proxy
    errors.init_app(app)

    @app.before_request
    def start():
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given if 0 < len(given) <= REQUEST_ID_MAX and given.isprintable() else uuid.uuid4().hex
        g.started = time.perf_counter()
        g.upstream = "-"

    hosts.init_app(app)  # after the request id: a refused Host's answer carries one too

    @app.after_request
    def finish(response):
        response.headers["X-Request-ID"] = g.get("request_id", "-")
        took = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
        target = request_target(request.path, request.query_string)  # any bytes a client sent, kept on one line
        access_log.info("%s %s %s upstream=%s %.1fms id=%s", request.method, target, response.status_code,
                        g.get("upstream", "-"), took, g.get("request_id", "-"))
        return response

    @app.get("/health")
    def health():
        return jsonify(status="ok")

    @app.get("/health/all")
    def health_all():
        # Open, as /health is; but where each service listens is for staff only: a page or a
        # stranger learns from it which ports to try behind the gateway's back.
        try:
            staff = signed_in()["role"] == "staff"
        except errors.ApiError:
            staff = False
        found = _probe_all(proxy)
        if not staff:
            found = {service: {k: v for k, v in seen.items() if k != "url"} for service, seen in found.items()}
        return jsonify(status="ok", services=found)

    @app.post("/auth/signup")
    def signup():
        body = json_object()
        throttle.check(None, request.remote_addr)
        try:
            return jsonify(users.add(body.get("email"), body.get("password"))), 201
        except errors.ApiError as error:
            if error.code == "email_taken":  # one answer that says an account exists: counted like a failed sign-in
                throttle.failed(None, request.remote_addr)
            raise

    @app.post("/auth/signin")
    def signin():
        users.apply_inbox(gateway_dir / "inbox")
        body = json_object()
        account = normalize_email(body.get("email")) or "(not an email)"
        throttle.check(account, request.remote_addr)
        user = users.verify(body.get("email"), body.get("password"))
        if user is None:
            throttle.failed(account, request.remote_addr)
            raise errors.ApiError(401, "unauthorized", "wrong email or password", headers={"WWW-Authenticate": "Bearer"})
        throttle.succeeded(account)
        return jsonify(token=tokens.issue(user), token_type="Bearer", expires_in=tokens.ttl_s, **user)

    @app.get("/auth/me")
    def me():
        return jsonify(signed_in())

    def signed_in() -> dict:
        """The caller's account, from their token: refused when the account is gone (deleted, or
        a store made anew under the same secret), whatever the token's signature says."""
        claims = tokens.verify(request.headers.get("Authorization"))
        user = users.get(claims["sub"])
        if user is None:
            raise unauthorized("the token's account no longer exists: sign in again")
        return {**claims, **user}

    # OPTIONS is Flask's own (CORS preflight, answered here), not an upstream's.
    @app.route("/<path:path>", methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"])
    def forward(path: str):
        service = route("/" + path)
        if service is None:
            raise errors.ApiError(404, "not_found", f"no service answers /{path}")
        claims = signed_in()
        body = None
        if request.method == "PUT":
            try:
                body = request.get_json(silent=True)
            except RecursionError:
                body = None
        authorize(request.method, "/" + path, claims, body if isinstance(body, dict) else None)
        g.upstream = service
        expensive = service == "tts" and request.method == "POST"  # synthesis; reads of made audio are cheap
        with speech.admit(claims["user_id"]) if expensive else contextlib.nullcontext():
            return proxy.forward(service, request.method, "/" + path, request.query_string, request.headers,
                                 request.get_data(), g.request_id, owner=claims["user_id"])

    return app


def _probe_all(proxy) -> dict:
    import http.client
    from urllib.parse import urlsplit

    found = {}
    for service, base in proxy.upstreams.items():
        url = urlsplit(base)
        started = time.perf_counter()
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=proxy.timeouts[0])
        try:
            conn.request("GET", url.path.rstrip("/") + "/health")
            status = conn.getresponse().status
            state = "ok" if status == 200 else f"HTTP {status}"
        except ConnectionRefusedError:
            state = "down"
        except (OSError, http.client.HTTPException) as exc:
            state = type(exc).__name__
        finally:
            conn.close()
        found[service] = {"state": state, "latency_ms": round((time.perf_counter() - started) * 1000, 2), "url": base}
    return found


def _log_access_to_stdout() -> None:
    """One line a request on stdout, through logging: a line that cannot be written (stdout a pipe
    whose reader, a lost supervisord, is gone) is dropped by the handler, never a failed request."""
    if not access_log.handlers:
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(logging.Formatter("%(message)s"))
        access_log.addHandler(handler)
        access_log.propagate = False
        access_log.setLevel(logging.INFO)
