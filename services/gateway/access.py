"""The request id and the access log: one line a request, on stdout, whatever the answer.

Every response carries an X-Request-ID (the client's, when it is short and printable, or a new
one), which is also sent upstream; the access-log line names it, so one request can be followed
through the gateway and the service's log. Its hooks run before the Host check, so that a
refused Host's answer carries an id and a log line too.
"""

from __future__ import annotations

import logging
import sys
import time
import uuid

from flask import Flask, g, request

from services.gateway.proxy import request_target

REQUEST_ID_MAX = 128
access_log = logging.getLogger("gateway.access")


def init_app(app: Flask) -> None:
    _log_access_to_stdout()

    @app.before_request
    def start():
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given if 0 < len(given) <= REQUEST_ID_MAX and given.isprintable() else uuid.uuid4().hex
        g.started = time.perf_counter()
        g.upstream = "-"

    @app.after_request
    def finish(response):
        response.headers["X-Request-ID"] = g.get("request_id", "-")
        took = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
        target = request_target(request.path, request.query_string)  # any bytes a client sent, kept on one line
        access_log.info("%s %s %s upstream=%s %.1fms id=%s", request.method, target, response.status_code,
                        g.get("upstream", "-"), took, g.get("request_id", "-"))
        return response


def _log_access_to_stdout() -> None:
    """One line a request on stdout, through logging: a line that cannot be written (stdout a pipe
    whose reader, a lost supervisord, is gone) is dropped by the handler, never a failed request."""
    if not access_log.handlers:
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(logging.Formatter("%(message)s"))
        access_log.addHandler(handler)
        access_log.propagate = False
        access_log.setLevel(logging.INFO)
