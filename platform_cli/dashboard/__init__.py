"""The web dashboard: processes, the orders board and speech, in a browser, on 127.0.0.1.

It is a process of its own (`dashboard: python -m platform_cli.dashboard` in the Procfile), kept
beside procman as supervisord keeps its web page beside itself: the process facts belong to
procman, so the server reads the snapshot itself; orders, deliveries and speech it asks of the
gateway with the signed-in user's token, so the gateway's rules (a customer sees only their
own orders) hold here too. create_app builds it; __main__ serves it under waitress.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from flask import Flask, jsonify


def create_app(config: dict | None = None) -> Flask:
    """config: GATEWAY_URL, REDIS_URL (to hear of order changes), DATA_DIR, PROJECT (a procman LiveProject: the
    instances `platform scale` adds show at the next refresh),
    SOCKET (supervisord's), ALLOWED_HOSTS (a set of names)."""
    from platform_cli.dashboard import feed, hosts, session, views
    from platform_cli.dashboard.errors import DashboardError

    app = Flask(__name__)
    app.config.update(CSRF_KEY=secrets.token_bytes(32), COOKIE_SECURE=False, FEED_EVERY_S=1.0)
    app.config.update(config or {})
    from platform_cli.dashboard.changes import BoardChanges

    app.extensions["dashboard.changes"] = BoardChanges(app.config.get("REDIS_URL"))
    hosts.init_app(app, app.config.get("ALLOWED_HOSTS") or hosts.LOOPBACK)
    session.init_app(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(feed.bp)

    @app.errorhandler(DashboardError)
    def dashboard_error(error: DashboardError):
        return jsonify(error={"code": error.code, "message": error.message}), error.status

    @app.errorhandler(404)
    def not_found(_error):
        return jsonify(error={"code": "not_found", "message": "no such page"}), 404

    @app.errorhandler(405)
    def not_allowed(_error):
        return jsonify(error={"code": "method_not_allowed", "message": "not with this method"}), 405

    @app.errorhandler(500)
    def internal(_error):
        return jsonify(error={"code": "internal_error", "message": "the dashboard failed; see its log"}), 500

    return app


STATIC = Path(__file__).parent / "static"
