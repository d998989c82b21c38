"""Whose request it is, as the gateway tells a service behind it.

The gateway knows the caller from their token; a service behind it does not check tokens. The
gateway drops any `X-Platform-Owner` a client sent and sets its own, the token's user id, so a
service can keep each account's names apart (tts: the old API's file names). A request that
reaches a service directly, not through the gateway, has no owner: the service's one shared
namespace, as before the gateway existed.
"""

from __future__ import annotations

from services.common.validation import USER_ID

OWNER_HEADER = "X-Platform-Owner"


def owner_of(headers) -> str | None:
    """The owner the gateway named, None when there is none; ValueError for one that is no user id."""
    owner = headers.get(OWNER_HEADER)
    if owner is None:
        return None
    if not USER_ID.fullmatch(owner):  # USER0001, or an older hex id: safe inside a Redis key
        raise ValueError(f"{OWNER_HEADER} must be a user id")
    return owner
