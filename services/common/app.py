"""Building a service's Flask app: config, its store, the error envelope, /health, its API.

Every service, the gateway included, is built here, so the parts they share (error envelope,
Host check, slash rules, body limit) are set in one place and in one order.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

from flask import Blueprint, Flask

from services.common import errors, health, hosts


def make_app(name: str, config: dict | None, make_store, blueprints: Blueprint | Sequence[Blueprint],
             defaults: dict | None = None, *, health_bp: Blueprint = health.bp,
             before_host_check: Sequence[Callable[[Flask], None]] = ()) -> Flask:
    """make_store(app) builds the service's store once the config is final.

    health_bp: the /health this service answers (the common one runs the checks in
    app.extensions["health_checks"]). before_host_check: init_app(app) functions whose hooks
    must run before the Host check (the gateway's request id, which a refused Host's answer carries).
    """
    app = Flask(name)
    # "/tts//x" is a 404 like any unknown path, not a redirect naming this service's own address.
    app.url_map.merge_slashes = False
    # Every path also answers with one trailing slash, as the original documents write them
    # ("/order-ms/<u>/orders/"): werkzeug matches both spellings itself, with no redirect.
    app.url_map.strict_slashes = False
    app.config.update(
        DATA_DIR=os.environ.get("PLATFORM_DATA_DIR", "data"),
        REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379"),
        REDIS_PASSWORD=os.environ.get("REDIS_PASSWORD"),  # when REDIS_URL has none (exports: a secret)
        MAX_CONTENT_LENGTH=64 * 1024,  # a larger body is refused with 413 before it is read
    )
    app.config.update(defaults or {})
    app.config.update(config or {})
    app.json.sort_keys = False
    app.extensions[f"{name}.store"] = make_store(app)
    errors.init_app(app)
    for init_app in before_host_check:
        init_app(app)
    hosts.init_app(app)
    app.register_blueprint(health_bp)
    for blueprint in [blueprints] if isinstance(blueprints, Blueprint) else blueprints:
        app.register_blueprint(blueprint)
    return app
