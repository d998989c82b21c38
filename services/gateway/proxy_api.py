"""Every other path: routed by prefix (routes.py), signed in, authorised, then forwarded (proxy.py).

OPTIONS is Flask's own (the CORS preflight, answered at the gateway), never an upstream's.
Synthesis (a POST to tts) is admitted by the speech gate (fairness.py): it holds a serving thread
for seconds, reads of made audio do not.
"""

from __future__ import annotations

import contextlib

from flask import Blueprint, g, request

from services.common.errors import ApiError
from services.gateway.auth import authorize
from services.gateway.auth_api import signed_in
from services.gateway.parts import current
from services.gateway.routes import route

bp = Blueprint("proxy", __name__)


@bp.route("/<path:path>", methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"])
def forward(path: str):
    service = route("/" + path)
    if service is None:
        raise ApiError(404, "not_found", f"no service answers /{path}")
    claims = signed_in()
    body = None
    if request.method == "PUT":
        try:
            body = request.get_json(silent=True)
        except RecursionError:
            body = None
    authorize(request.method, "/" + path, claims, body if isinstance(body, dict) else None)
    g.upstream = service
    gateway = current()
    expensive = service == "tts" and request.method == "POST"  # synthesis; reads of made audio are cheap
    with gateway.speech.admit(claims["user_id"]) if expensive else contextlib.nullcontext():
        return gateway.proxy.forward(service, request.method, "/" + path, request.query_string, request.headers,
                                     request.get_data(), g.request_id, owner=claims["user_id"])
