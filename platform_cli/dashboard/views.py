"""The dashboard's pages and JSON actions: sign in and out, processes, orders, speech."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, g, jsonify, redirect, render_template, request, send_from_directory, url_for

from platform_cli.dashboard.errors import DashboardError
from platform_cli.dashboard.gateway import gateway
from platform_cli.dashboard.session import COOKIE, csrf_token, current_user, set_cookie, signed_in
from platform_cli.errors import LoginNeededError, PlatformError

bp = Blueprint("views", __name__)
PUBLIC_ASSETS = {"dashboard.css"}  # the login page's look; the script is behind the login
ASSETS = PUBLIC_ASSETS | {"dashboard.js"}
RECENT_SPEECH = 10


@bp.get("/health")
def health():
    """For the platform's probe: says only that the server answers."""
    return jsonify(status="ok")


@bp.get("/assets/<name>")
def asset(name: str):
    if name not in ASSETS:
        raise DashboardError(404, "not_found", "no such asset")
    if name not in PUBLIC_ASSETS and current_user() is None:
        raise DashboardError(401, "unauthorized", "sign in first")
    from platform_cli.dashboard import STATIC

    return send_from_directory(STATIC, name, max_age=0)


@bp.get("/login")
def login_page():
    return render_template("login.html", error=None)


@bp.post("/login")
def login():
    _same_origin()  # no session yet, so no CSRF token: a cross-site login form is refused by its Origin
    email, password = request.form.get("email", ""), request.form.get("password", "")
    try:
        answer = gateway(None).post("auth", "signin", body={"email": email, "password": password})
    except LoginNeededError:
        return render_template("login.html", error="wrong email or password"), 401
    except PlatformError as exc:
        return render_template("login.html", error=exc.message), 503 if "does not answer" in exc.message else 400
    return set_cookie(redirect(url_for("views.index")), answer["token"], int(answer.get("expires_in", 3600)))


@bp.post("/logout")
@signed_in()
def logout():
    response = redirect(url_for("views.login_page"))
    response.delete_cookie(COOKIE, path="/")
    return response


@bp.get("/")
@signed_in(page=True)
def index():
    return render_template("index.html", user=g.user, csrf=csrf_token(g.user["token"]))


@bp.get("/api/processes")
@signed_in()
def processes():
    from platform_cli.dashboard.feed import process_rows

    return jsonify(processes=process_rows(current_app))


@bp.post("/api/processes/<name>/<verb>")
@signed_in(staff=True)
def act(name: str, verb: str):
    from platform_cli.procman.control import VERBS, act_on
    from platform_cli.procman.supervisor import SupervisorClient

    if verb not in VERBS:
        raise DashboardError(404, "not_found", f"no action {verb}; one of {', '.join(VERBS)}")
    project = current_app.config["PROJECT"].current()
    if name not in project.processes:
        raise DashboardError(404, "not_found", f"no process {name}")
    try:
        message = act_on(SupervisorClient(current_app.config["SOCKET"]), project, verb, name)
    except PlatformError as exc:
        raise DashboardError(409, "action_failed", exc.message) from None
    return jsonify(message=message)


@bp.get("/api/board")
@signed_in()
def board():
    from platform_cli.dashboard.board import load_board

    return jsonify(columns=_from_gateway(load_board, g.user))


@bp.post("/api/orders/<user_id>/<order_id>/status")
@signed_in(staff=True)
def advance(user_id: str, order_id: str):
    status = (request.get_json(silent=True) or {}).get("status")
    if not isinstance(status, str):
        raise DashboardError(400, "invalid_field", "status: must be a delivery status")
    return jsonify(_from_gateway(lambda: gateway(g.user["token"]).put("delivery-ms", user_id, order_id, body={"status": status})))


@bp.post("/api/speech")
@signed_in()
def speak():
    body = request.get_json(silent=True) or {}
    wanted = {k: body.get(k) for k in ("text", "lang", "engine") if body.get(k)}
    made = _from_gateway(lambda: gateway(g.user["token"], "tts").post("tts", body=wanted))
    entry = {"id": made["id"], "text": wanted.get("text", ""), "lang": wanted.get("lang", "en"),
             "engine": made.get("engine") or wanted.get("engine"), "url": url_for("views.audio", entry_id=made["id"])}
    recent = current_app.extensions.setdefault("dashboard.speech", {}).setdefault(g.user["user_id"], [])
    recent.insert(0, entry)
    del recent[RECENT_SPEECH:]
    return jsonify(entry), 201


@bp.get("/api/speech")
@signed_in()
def recent_speech():
    return jsonify(recent=current_app.extensions.get("dashboard.speech", {}).get(g.user["user_id"], []))


@bp.get("/speech/<entry_id>.mp3")
@signed_in()
def audio(entry_id: str):
    if not entry_id.replace("-", "").isalnum():
        raise DashboardError(404, "not_found", f"no audio {entry_id}")
    data = _from_gateway(lambda: gateway(g.user["token"], "tts").download(f"/tts/{entry_id}.mp3"))
    return Response(data, mimetype="audio/mpeg", headers={"Cache-Control": "private, max-age=3600"})


def _from_gateway(call, *args):
    """A gateway refusal (bad field, forbidden, not found) as the dashboard's JSON error."""
    from platform_cli.errors import ServiceDownError

    try:
        return call(*args)
    except LoginNeededError as exc:
        raise DashboardError(401, "unauthorized", exc.message) from None
    except ServiceDownError as exc:
        raise DashboardError(503, "upstream_unavailable", exc.message) from None
    except PlatformError as exc:
        raise DashboardError(400, "refused", exc.message) from None


def _same_origin() -> None:
    origin = request.headers.get("Origin")
    if origin and origin != "null" and origin.split("://", 1)[-1] != request.host:
        raise DashboardError(403, "csrf_failed", "a sign-in from another site is refused")
