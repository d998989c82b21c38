"""Which web origins may call the gateway from a browser: none unless GATEWAY_CORS_ORIGINS lists them.

flask-cors answers the preflight (OPTIONS) here, never upstream, and exposes X-Request-ID so a
page can quote it in a bug report.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    origins = [o.strip() for o in app.config["GATEWAY_CORS_ORIGINS"].split(",") if o.strip()]
    if origins:
        from flask_cors import CORS

        CORS(app, origins=origins, expose_headers=["X-Request-ID"])
