"""The gateway, as the dashboard calls it: the CLI's own HTTP client, with the user's token."""

from __future__ import annotations

from flask import current_app

from platform_cli.clients.services import ServiceClient


def gateway(token: str | None, name: str = "gateway") -> ServiceClient:
    return ServiceClient(name, current_app.config["GATEWAY_URL"], timeout=10, token=token, via="gateway")
