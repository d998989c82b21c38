"""gateway: one entry point in front of the services, routing by path prefix (routes.py).

Built like every service (services/common/app.py), from separate pieces: its parts (parts.py:
users, tokens, throttle, speech gate, connection pool), the request id and access log
(access.py), CORS (cors.py), and three blueprints: /health (health.py), /auth (auth_api.py),
and every other path, forwarded upstream (proxy_api.py). Every routed path needs a token from
/auth/signin (see auth.py); /health and /auth/* are open.
"""

from __future__ import annotations

import os

from flask import Flask

from services.gateway.access import access_log  # noqa: F401  (the gateway's access log, for whoever reads it)


def create_app(config: dict | None = None) -> Flask:
    """config: UPSTREAMS ({service: base url}; default from <NAME>_URL), GATEWAY_TIMEOUT (s),
    GATEWAY_MAX_BODY (bytes), GATEWAY_CORS_ORIGINS (comma-separated origins), GATEWAY_RESTART_WAIT
    (s a request waits for an upstream refusing connections)."""
    from services.common.app import make_app
    from services.gateway import access, auth_api, cors, health, proxy_api
    from services.gateway.parts import make_gateway
    from services.gateway.routes import upstreams_from

    defaults = dict(
        UPSTREAMS=upstreams_from(),
        GATEWAY_TIMEOUT=float(os.environ.get("GATEWAY_TIMEOUT", "10")),
        GATEWAY_CONNECT_TIMEOUT=float(os.environ.get("GATEWAY_CONNECT_TIMEOUT", "1")),
        # How long a request waits for an upstream that refuses connections (restarting) before a 503.
        GATEWAY_RESTART_WAIT=float(os.environ.get("GATEWAY_RESTART_WAIT", "2")),
        MAX_CONTENT_LENGTH=int(os.environ.get("GATEWAY_MAX_BODY", str(1024 * 1024))),  # 413 before any upstream
        GATEWAY_CORS_ORIGINS=os.environ.get("GATEWAY_CORS_ORIGINS", ""),
        TOKEN_TTL=int(os.environ.get("GATEWAY_TOKEN_TTL", "3600")),
        # Failed sign-ins allowed in a moving window (limits' notation), per email and per client address.
        GATEWAY_SIGNIN_PER_ACCOUNT=os.environ.get("GATEWAY_SIGNIN_PER_ACCOUNT", "5/minute"),
        GATEWAY_SIGNIN_PER_ADDRESS=os.environ.get("GATEWAY_SIGNIN_PER_ADDRESS", "30/minute"),
        # Speech requests in flight, per account and in all (below the 16 serving threads: see fairness.py).
        GATEWAY_SPEECH_PER_ACCOUNT=int(os.environ.get("GATEWAY_SPEECH_PER_ACCOUNT", "1")),
        GATEWAY_SPEECH_MAX=int(os.environ.get("GATEWAY_SPEECH_MAX", "4")),
    )
    # The request id first, so that a refused Host's answer carries one too.
    return make_app("gateway", config, make_gateway, [auth_api.bp, proxy_api.bp], defaults,
                    health_bp=health.bp, before_host_check=[cors.init_app, access.init_app])
