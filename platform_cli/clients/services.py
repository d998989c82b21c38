"""Every HTTP call the CLI makes to a service goes through here, so that when the gateway
arrives only the base address changes. Errors become PlatformErrors with the service's message."""

from __future__ import annotations

import http.client
import json
from urllib.parse import quote, urlencode, urlsplit

from platform_cli.errors import ConfigError, LoginNeededError, ServiceDownError, ServiceError


# The gateway's answers when the service behind it is down (503) or too slow (504): the service,
# not the request, is at fault, so they are a ServiceDownError naming that service (exit 10).
UPSTREAM_DOWN_CODES = ("upstream_unavailable", "upstream_timeout")


class ServiceClient:
    def __init__(self, name: str, base_url: str, timeout: float = 10.0, token: str | None = None, via: str | None = None):
        """`name` is the service the calls are for; `via` the process that answers them in its place
        (the gateway), so that an error names the one that is really down."""
        self.name, self.base_url, self.timeout, self.token, self.via = name, base_url.rstrip("/"), timeout, token, via

    def get(self, *path: str, query: dict | None = None) -> dict:
        return self.request("GET", path, query=query)

    def post(self, *path: str, body: dict) -> dict:
        return self.request("POST", path, body=body)

    def put(self, *path: str, body: dict) -> dict:
        return self.request("PUT", path, body=body)

    def download(self, url_path: str) -> bytes:
        """The raw body at a path the service gave (e.g. an MP3's `url`)."""
        return self.request("GET", tuple(url_path.strip("/").split("/")), raw=True)

    def request(self, method: str, path: tuple[str, ...], body: dict | None = None, query: dict | None = None, raw: bool = False):
        want_raw = raw
        url = urlsplit(self.base_url)
        target = (url.path or "") + "/" + "/".join(quote(part, safe="") for part in path)
        if query:
            target += "?" + urlencode({k: v for k, v in query.items() if v is not None})
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=self.timeout)
        try:
            payload = json.dumps(body).encode() if body is not None else None
            headers = {"Content-Type": "application/json", "Accept": "application/json"}
            if self.token:
                headers["Authorization"] = f"Bearer {self.token}"
            conn.request(method, target, body=payload, headers=headers)
            response = conn.getresponse()
            payload_bytes = response.read()
        except (ConnectionRefusedError, TimeoutError, OSError, http.client.HTTPException) as exc:
            down = self.via or self.name
            raise ServiceDownError(
                f"{down} does not answer at {self.base_url} ({_reason(exc)})"
                + (f"; it passes on the calls for {self.name}" if self.via else ""),
                hint=_start_hint(down),
            ) from None
        finally:
            conn.close()
        if want_raw and response.status < 400:
            return payload_bytes
        try:
            data = json.loads(payload_bytes) if payload_bytes else {}
        except ValueError:
            raise ServiceError(f"{self.name} answered HTTP {response.status} with something that is not JSON") from None
        if response.status >= 400:
            error = data.get("error", {}) if isinstance(data, dict) else {}
            message = error.get("message") or f"HTTP {response.status}"
            if response.status in (503, 504) and error.get("code") in UPSTREAM_DOWN_CODES:
                service = error.get("service") or self.name
                raise ServiceDownError(f"{service} does not answer (the {self.via or self.name} says: {message})", hint=_start_hint(service))
            if response.status == 401 and error.get("code") == "unauthorized":
                raise LoginNeededError(
                    "your login has expired" if "expired" in message else f"the gateway wants a login ({message})",
                    hint="log in with `platform login EMAIL` (or make an account with `platform signup EMAIL`)",
                )
            hint = None
            if error.get("code") == "invalid_transition":
                hint = f"allowed next: {', '.join(error['allowed']) or 'none'}"
            raise ServiceError(f"{self.name}: {message}", hint=hint)
        return data


def make_service_client(project, session, name: str) -> ServiceClient:
    """The client for one of the Procfile's services: through the gateway, with the login's token,
    when the Procfile has a gateway; else straight at the service. Here, beside the client, so
    that the choice of address is made where the calls are made, not by the CLI's wiring."""
    gateway = project.processes.get("gateway")
    if gateway is not None and gateway.url is not None:
        login = session.load()
        return ServiceClient(name, gateway.url, token=login["token"] if login else None, via="gateway")
    spec = project.processes.get(name)
    if spec is None or spec.url is None:
        raise ConfigError(f"the Procfile has no {name} service with a port", hint=f"add a `{name}:` line to the Procfile")
    return ServiceClient(name, spec.url)


def _start_hint(name: str) -> str:
    return f"is it running? see `platform status {name}`; start it with `platform start {name}`"


def _reason(exc: Exception) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, TimeoutError):
        return "timed out"
    return str(exc) or type(exc).__name__
