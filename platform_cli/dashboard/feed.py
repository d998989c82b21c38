"""Live updates as server-sent events: processes every second, the board when it changes
(changes.py), and for staff the new log lines.

SSE rather than websockets: the updates only flow from server to browser (actions are plain
POSTs), EventSource reconnects by itself, and it is a streamed HTTP response that waitress
serves without another library. One stream per open page carries all three kinds of event.
"""

from __future__ import annotations

import json
import threading
import time

from flask import Blueprint, Response, current_app, g

from platform_cli.dashboard.session import signed_in

bp = Blueprint("feed", __name__)
SNAPSHOT_TTL_S = 0.5  # pages open side by side share one snapshot
LOG_BACKLOG = 100
LOG_BURST = 500  # at most this many log lines per event: a flood is cut, not queued


def process_rows(app) -> list[dict]:
    """The snapshot `platform status` shows, as JSON; taken at most every SNAPSHOT_TTL_S."""
    from platform_cli.procman.snapshot import take_snapshot
    from platform_cli.procman.supervisor import SupervisorClient

    cache = app.extensions.setdefault("dashboard.snapshot", {"at": 0.0, "rows": [], "lock": threading.Lock()})
    with cache["lock"]:
        if time.monotonic() - cache["at"] >= SNAPSHOT_TTL_S:
            rows = take_snapshot(SupervisorClient(app.config["SOCKET"]), app.config["PROJECT"].current(), [], app.config["DATA_DIR"])
            cache["rows"] = [{**row.to_json(), "healthy": row.healthy} for row in rows]
            cache["at"] = time.monotonic()
        return cache["rows"]


@bp.get("/api/feed")
@signed_in()
def feed():
    app, user = current_app._get_current_object(), g.user
    return Response(_events(app, user), mimetype="text/event-stream",
                    headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


def _events(app, user: dict):
    from platform_cli.dashboard.board import load_board
    from platform_cli.dashboard.changes import BoardClock
    from platform_cli.dashboard.session import user_of
    from platform_cli.errors import PlatformError

    staff = user["role"] == "staff"
    follower = _log_follower(app) if staff else None
    changes = app.extensions["dashboard.changes"]
    changes.start()
    clock = BoardClock(changes, time.monotonic())
    last_board = None
    yield "retry: 2000\n\n"
    if staff:
        yield _event("logs", _backlog(app))
    while True:
        started = time.monotonic()
        with app.app_context():
            if user_of(user["token"]) is None:  # signed out elsewhere, expired, or the account is gone
                yield _event("signed_out", {})
                return
            try:
                yield _event("processes", {"at": time.time(), "processes": process_rows(app)})
            except PlatformError as exc:
                yield _event("problem", {"message": exc.message})
            board = None
            if clock.due_now(time.monotonic()):
                try:
                    board = load_board(user)
                except PlatformError as exc:
                    yield _event("problem", {"message": exc.message})
            if board is not None and board != last_board:
                last_board = board
                yield _event("board", {"columns": board})
        if follower is not None:
            lines = _new_lines(follower)
            if lines:
                yield _event("logs", lines)
        time.sleep(max(0.0, app.config["FEED_EVERY_S"] - (time.monotonic() - started)))


def _event(kind: str, data) -> str:
    return f"event: {kind}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


def _log_follower(app):
    from platform_cli.procman.logfollow import Follower

    return Follower(app.config["DATA_DIR"] / "logs", [], from_end=True)


def _backlog(app) -> list[dict]:
    from platform_cli.procman.logtail import last_lines

    names = app.config["PROJECT"].current().names
    return [_line(line) for line in last_lines(app.config["DATA_DIR"] / "logs", names, lines=LOG_BACKLOG)]


def _new_lines(follower) -> list[dict]:
    from platform_cli.procman.logtail import with_stamps

    found = []
    for chunk in follower.poll():
        found.extend(_line(line) for line in with_stamps(chunk.lines, chunk.name, chunk.stream, chunk.previous_stamp))
    return found[-LOG_BURST:]


def _line(line) -> dict:
    return {"at": line.stamp.decode()[11:19], "name": line.name, "stream": line.stream,
            "text": line.text.decode("utf-8", "replace")}
