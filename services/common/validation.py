"""Checks every service applies to what clients send (pure)."""

from __future__ import annotations

import re
import uuid

from flask import request

from services.common.errors import ApiError

USER_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def check_user_id(user_id: str) -> str:
    if not USER_ID.fullmatch(user_id):
        raise invalid("user_id", "must be 1-64 letters, digits, '_' or '-'")
    return user_id


def parse_int(value, field: str, low: int, high: int) -> int:
    # The original clients send numbers as strings ("5000"); a bool is not a number here.
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,9}\s*", value):
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise invalid(field, f"must be a whole number from {low:,} to {high:,}")
    return value


def parse_page(args) -> tuple[int, int]:
    """limit (1-100, default 20) and offset (default 0) from a query string."""
    return parse_int(args.get("limit", "20"), "limit", 1, 100), parse_int(args.get("offset", "0"), "offset", 0, 10**9)


def is_uuid(text: str) -> bool:
    try:
        return str(uuid.UUID(text)) == text
    except ValueError:
        return False


def is_unicode(text: str) -> bool:
    """False for text no UTF-8 can carry: a lone surrogate, which JSON's "\\ud800" escape lets in."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def json_object() -> dict:
    """The request body as a JSON object, or a 400: not JSON, not an object, or nested too deep."""
    try:
        body = request.get_json(silent=True)
    except RecursionError:
        body = None
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_body", "the body must be a JSON object")
    return body


def invalid(field: str, message: str, **extra) -> ApiError:
    return ApiError(400, "invalid_field", f"{field} {message}", field=field, **extra)
