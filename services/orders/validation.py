"""Checking the orders a client sends (pure)."""

from __future__ import annotations

from services.common.validation import invalid, is_unicode, parse_int

LIMITS = {"coffee_price": (0, 1_000_000), "coffee_qty": (1, 100)}


def parse_order(body: dict) -> dict:
    """{"coffee_name", "coffee_price", "coffee_qty"} with numbers as ints (numeric strings accepted)."""
    name = body.get("coffee_name")
    if not isinstance(name, str) or not 1 <= len(name.strip()) <= 100:
        raise invalid("coffee_name", "must be text of 1-100 characters")
    if not is_unicode(name):  # stored, it would break every client that shows it
        raise invalid("coffee_name", "must be valid Unicode")
    order = {"coffee_name": name.strip()}
    for field, (low, high) in LIMITS.items():
        if body.get(field) is None:  # never a default: a missing price is not a free coffee
            raise invalid(field, "is required: a whole number, or one as a string")
        order[field] = parse_int(body[field], field, low, high)
    return order
