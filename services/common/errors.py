"""The one JSON error envelope every service answers with: {"error": {"code", "message"}}."""

from __future__ import annotations

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException


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

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        # The traceback goes to the service's stderr log, never to the client.
        app.logger.exception("unhandled error")
        return envelope("internal_error", "the service failed to handle this request", 500)
