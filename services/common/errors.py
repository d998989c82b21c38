"""The one JSON error envelope every service answers with: {"error": {"code", "message"}}."""

from __future__ import annotations

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from services.common.atomicfile import FULL, is_disk_trouble


class ApiError(Exception):
    """An error a client can act on, with its HTTP status and a snake_case code."""

    def __init__(self, status: int, code: str, message: str, headers: dict | None = None, **extra):
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra
        self.headers = headers or {}


def envelope(code: str, message: str, status: int, **extra):
    return jsonify({"error": {"code": code, "message": message, **extra}}), status


def init_app(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def api_error(exc: ApiError):
        body, status = envelope(exc.code, exc.message, exc.status, **exc.extra)
        return body, status, exc.headers

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        code = (exc.name or "error").lower().replace(" ", "_")
        return envelope(code, exc.description or exc.name, exc.code or 500)

    @app.errorhandler(OSError)
    def storage_error(exc: OSError):
        # Disk trouble is the machine's, not the request's: say which, so it can be fixed, and
        # that retrying then is safe (a failed write leaves the store as it was).
        if not is_disk_trouble(exc):
            return unexpected(exc)
        app.logger.error("storage error: %s", exc)
        where = f" ({exc.filename})" if exc.filename else ""
        if exc.errno in FULL:
            message = f"cannot store: {exc.strerror.lower()}{where}; free some space and retry"
            return envelope("insufficient_storage", message, 507) + ({"Retry-After": "5"},)
        message = f"cannot store: {exc.strerror.lower()}{where}; make the data directory writable and retry"
        return envelope("storage_unavailable", message, 503) + ({"Retry-After": "5"},)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        # The traceback goes to the service's stderr log, never to the client.
        app.logger.exception("unhandled error")
        return envelope("internal_error", "the service failed to handle this request", 500)
