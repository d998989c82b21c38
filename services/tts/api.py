"""/tts (text to MP3, metadata, download) and the original API: POST /output, GET /files/<name>."""

from __future__ import annotations

import redis
from flask import Blueprint, current_app, jsonify, request, send_file

from services.common.errors import ApiError
from services.common.owner import owner_of
from services.common.validation import json_object
from services.tts.cache import ENTRY_ID
from services.tts.validation import check_name, languages, parse_request

bp = Blueprint("tts", __name__)


def speaker():
    return current_app.extensions["tts.store"]


@bp.post("/tts")
def create():
    req = parse_request(json_object(), speaker().engines, current_app.config["TTS_ENGINE"])
    _owner()  # a bad owner is refused before any speech is made
    return jsonify(_say(req, url=None)), 201


@bp.get("/tts/voices")
def voices():
    engine = request.args.get("engine", "espeak")
    if engine not in ("gtts", "espeak", "auto"):
        raise ApiError(400, "invalid_field", "engine must be one of auto, gtts, espeak", field="engine")
    return jsonify(engine=engine, languages=languages(speaker().engines, engine))


@bp.get("/tts/<entry_id>.mp3")
def audio(entry_id: str):
    return _send(entry_id)


@bp.get("/tts/<entry_id>")
def metadata(entry_id: str):
    meta = speaker().cache.meta(entry_id) if ENTRY_ID.fullmatch(entry_id) else None
    if meta is None:
        raise ApiError(404, "not_found", f"no audio {entry_id}")
    meta.pop("owner", None)  # whose it is, for the cache's shares: no one else's business
    return jsonify({**meta, "url": f"/tts/{entry_id}.mp3"})


@bp.post("/output")
def legacy_output():
    body = json_object()
    name = check_name(body.get("name", ""))
    _owner()  # a bad owner is refused before any speech is made
    try:
        req = parse_request({"text": body.get("message"), "lang": body.get("lang", "en")}, speaker().engines,
                            current_app.config["TTS_ENGINE"])
        return jsonify(_say({**req, "name": name}, url=f"/files/{name}")), 201
    except ApiError as error:  # the old API calls the text `message`
        if error.extra.get("field") == "text":
            error.extra["field"], error.message = "message", "message" + error.message[len("text"):]
        raise


@bp.get("/files/<name>")
def legacy_file(name: str):
    name = check_name(name)  # never a path: a name is looked up, not opened
    try:
        entry_id = speaker().cache.named(name, _owner())
    except redis.RedisError:
        raise ApiError(503, "cache_unavailable", "names need the cache, and Redis does not answer") from None
    if entry_id is None:
        raise ApiError(404, "not_found", f"no file {name}")
    return _send(entry_id, download_name=f"{name}.mp3")


def _say(req: dict, url: str | None) -> dict:
    meta, cached = speaker().say(req["text"], req["lang"], req["engine"], req["slow"], _owner())
    if req["name"]:
        try:
            speaker().cache.name(req["name"], meta["id"], _owner())
        except redis.RedisError:
            raise ApiError(503, "cache_unavailable", "names need the cache, and Redis does not answer") from None
    return {"id": meta["id"], "url": url or f"/tts/{meta['id']}.mp3", "engine": meta["engine"], "lang": meta["lang"],
            "cached": cached, "bytes": meta["bytes"], "duration_s": meta["duration_s"]}


def _owner() -> str | None:
    """The account a name belongs to, as the gateway says (see services/common/owner.py)."""
    try:
        return owner_of(request.headers)
    except ValueError as exc:
        raise ApiError(400, "invalid_owner", str(exc)) from None


def _send(entry_id: str, download_name: str | None = None):
    if not ENTRY_ID.fullmatch(entry_id):
        raise ApiError(404, "not_found", "no such audio")
    cache = speaker().cache
    path = cache.path(entry_id)
    if not path.exists():
        raise ApiError(404, "not_found", f"no audio {entry_id}")
    cache.touch(entry_id)
    attach = request.args.get("download") in ("1", "true")
    try:
        return send_file(path, mimetype="audio/mpeg", conditional=True, as_attachment=attach,
                         download_name=download_name or f"{entry_id}.mp3")
    except FileNotFoundError:  # evicted between the check and the send
        raise ApiError(404, "not_found", f"no audio {entry_id}") from None
