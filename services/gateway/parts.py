"""The gateway's long-lived parts, built once per app from its final config: the app's "store".

The views reach them through current() rather than module globals, so two apps (tests, a
restart in-process) never share a user store, a throttle or a connection pool.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app

from services.gateway.auth import Tokens, UserStore, load_secret
from services.gateway.fairness import SpeechGate
from services.gateway.proxy import Proxy
from services.gateway.staff import inbox_dir
from services.gateway.throttle import SignInThrottle

KEY = "gateway.store"


@dataclass
class Gateway:
    users: UserStore
    tokens: Tokens
    throttle: SignInThrottle
    speech: SpeechGate
    proxy: Proxy
    inbox: Path  # staff accounts asked for on this machine (staff.py), applied at start and sign-in


def make_gateway(app: Flask) -> Gateway:
    config = app.config
    data_dir = Path(config["DATA_DIR"])
    users = UserStore(data_dir / "gateway" / "users")
    inbox = inbox_dir(data_dir)
    users.apply_inbox(inbox)
    return Gateway(
        users=users,
        tokens=Tokens(load_secret(data_dir / "gateway"), config["TOKEN_TTL"]),
        throttle=SignInThrottle(config["GATEWAY_SIGNIN_PER_ACCOUNT"], config["GATEWAY_SIGNIN_PER_ADDRESS"]),
        speech=SpeechGate(config["GATEWAY_SPEECH_PER_ACCOUNT"], config["GATEWAY_SPEECH_MAX"]),
        proxy=Proxy(config["UPSTREAMS"], config["GATEWAY_CONNECT_TIMEOUT"], config["GATEWAY_TIMEOUT"],
                    config["GATEWAY_RESTART_WAIT"]),
        inbox=inbox,
    )


def current() -> Gateway:
    return current_app.extensions[KEY]
