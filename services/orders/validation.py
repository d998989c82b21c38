"""Checking what clients send the orders service (pure functions)."""

from __future__ import annotations

import re

from services.common.errors import ApiError

USER_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
LIMITS = {"coffee_price": (0, 1_000_000), "coffee_qty": (1, 100)}


def check_user_id(user_id: str) -> str:
    if not USER_ID.fullmatch(user_id):
        raise invalid("user_id", "must be 1-64 letters, digits, '_' or '-'")
    return user_id


def parse_order(body) -> dict:
    """{"coffee_name", "coffee_price", "coffee_qty"} with numbers as ints (numeric strings accepted)."""
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_body", "the body must be a JSON object")
    name = body.get("coffee_name")
    if not isinstance(name, str) or not 1 <= len(name.strip()) <= 100:
        raise invalid("coffee_name", "must be text of 1-100 characters")
    order = {"coffee_name": name.strip()}
    for field, (low, high) in LIMITS.items():
        order[field] = parse_int(body.get(field), field, low, high)
    return order


def parse_int(value, field: str, low: int, high: int) -> int:
    # The original clients send numbers as strings ("5000"); a bool is not a number here.
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,9}\s*", value):
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise invalid(field, f"must be a whole number from {low:,} to {high:,}")
    return value


def parse_page(args) -> tuple[int, int]:
    limit = parse_int(args.get("limit", "20"), "limit", 1, 100)
    offset = parse_int(args.get("offset", "0"), "offset", 0, 10**9)
    return limit, offset


def invalid(field: str, message: str) -> ApiError:
    return ApiError(400, "invalid_field", f"{field} {message}", field=field)
