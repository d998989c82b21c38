"""Slowing down password guessing: failed sign-ins counted per account and per client address.

Counted with `limits` (the library under flask-limiter) in moving windows: past
GATEWAY_SIGNIN_PER_ACCOUNT failures for one email, or GATEWAY_SIGNIN_PER_ADDRESS for one client
address, sign-in answers 429 with Retry-After, without looking at the password, until the oldest
failure leaves the window. So a guesser gets a few tries a minute, and the real owner is kept out
at most one window after the guessing stops; a successful sign-in clears its account's count.
Tokens already issued are never affected. An unknown email is counted like a known one, so the
throttle tells no one which accounts exist. Sign-ups refused because the email is taken count
against the address too: they would otherwise list accounts at full speed.

The counts live in the gateway's memory, not Redis: the gateway is one process, and the only
owner of the user store, so its memory sees every attempt; sign-in keeps working while Redis is
down; and a refused request changes no stored state. A restart of the gateway forgets them,
which costs a guesser one window's worth of tries per restart it can cause.
"""

from __future__ import annotations

import math
import time

from services.common.errors import ApiError


class SignInThrottle:
    def __init__(self, per_account: str = "5/minute", per_address: str = "30/minute"):
        from limits import parse
        from limits.storage import MemoryStorage
        from limits.strategies import MovingWindowRateLimiter

        self.limiter = MovingWindowRateLimiter(MemoryStorage())
        self.limits = {"account": parse(per_account), "address": parse(per_address)}

    def check(self, account: str | None, address: str | None) -> None:
        """Raise 429 when either count is used up; otherwise nothing."""
        waits = []
        for kind, key in (("account", account), ("address", address)):
            if key is not None and not self.limiter.test(self.limits[kind], kind, key):
                reset = self.limiter.get_window_stats(self.limits[kind], kind, key).reset_time
                waits.append(max(1, math.ceil(reset - time.time())))
        if waits:
            wait = max(waits)
            raise ApiError(429, "too_many_attempts", f"too many failed attempts: try again in {wait} s",
                           headers={"Retry-After": str(wait)}, retry_after_s=wait)

    def failed(self, account: str | None, address: str | None) -> None:
        for kind, key in (("account", account), ("address", address)):
            if key is not None:
                self.limiter.hit(self.limits[kind], kind, key)

    def succeeded(self, account: str) -> None:
        self.limiter.clear(self.limits["account"], "account", account)
