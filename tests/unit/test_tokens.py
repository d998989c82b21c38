"""The gateway's tokens: a verified token is kept until it expires, and only a verified one is."""

from __future__ import annotations

import time

import jwt
import pytest

from services.common.errors import ApiError
from services.gateway.auth import Tokens

SECRET = "s" * 48
USER = {"user_id": "USER0001", "email": "a@example.com", "role": "customer"}


class Clock:
    def __init__(self):
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def test_a_kept_token_is_refused_once_it_expires():
    clock = Clock()
    tokens = Tokens(SECRET, 60, clock=clock)
    header = f"Bearer {tokens.issue(USER)}"
    assert tokens.verify(header)["sub"] == "USER0001"
    assert tokens.verify(header)["sub"] == "USER0001"  # from the kept ones now
    clock.now += 61
    with pytest.raises(ApiError) as refused:
        tokens.verify(header)
    assert (refused.value.status, refused.value.message) == (401, "the token has expired: sign in again")


def test_a_forged_token_is_refused_every_time_beside_a_kept_good_one():
    tokens = Tokens(SECRET, 60)
    good = tokens.issue(USER)
    tokens.verify(f"Bearer {good}")
    forged = jwt.encode({**jwt.decode(good, options={"verify_signature": False}), "role": "staff"}, "x" * 48, algorithm="HS256")
    for _ in range(2):
        with pytest.raises(ApiError) as refused:
            tokens.verify(f"Bearer {forged}")
        assert refused.value.status == 401
    assert tokens.verify(f"Bearer {good}")["role"] == "customer"


def test_changing_the_returned_claims_does_not_change_the_kept_ones():
    tokens = Tokens(SECRET, 60)
    header = f"Bearer {tokens.issue(USER)}"
    tokens.verify(header)["role"] = "staff"
    assert tokens.verify(header)["role"] == "customer"
