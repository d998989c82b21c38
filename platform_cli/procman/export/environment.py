"""What each exported process sees in its environment, split into plain config and secrets.

Under `platform` every process gets the .env values, PORT, PYTHONUNBUFFERED, PLATFORM_DATA_DIR
and every peer's `<NAME>_PORT` / `<NAME>_URL` on 127.0.0.1. In containers a peer is reached by
its service name instead (`http://orders:5100`), and values that look secret go to the engine's
secret store, never into a manifest.
"""

from __future__ import annotations

import re

from platform_cli.procman.project import Project, ProcessSpec

# Secrets by name: SECRET or PASSWORD anywhere (GATEWAY_JWT_SECRET, REDIS_PASSWORD_FILE), TOKEN,
# KEY or CREDENTIALS as the last word (API_TOKEN, STRIPE_KEY), not GATEWAY_TOKEN_TTL or KEYS_DIR.
_SECRET_WORDS = re.compile(r"(^|_)(SECRET|PASSWORD|PASSWD)(_|$)|(^|_)(TOKEN|KEY|CREDENTIALS?|APIKEY)$")
_SCHEMES = {"redis": "redis", "tcp": "tcp"}  # as project.ProcessSpec.url: anything else is http
CONTAINER_DATA_DIR = "/data"
# Set by platform itself, so never exported from a container's environment back into .env.
PLATFORM_GIVEN = ("PORT", "PYTHONUNBUFFERED", "PLATFORM_DATA_DIR", "BIND_HOST")
# services/common/hosts.py: a service answers only for loopback names and the names listed here.
ALLOWED_HOSTS = "PLATFORM_ALLOWED_HOSTS"


def is_secret(key: str) -> bool:
    return bool(_SECRET_WORDS.search(key.upper()))


def split_dotenv(dotenv: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """(plain config, secrets) from the .env values; platform's own settings (PLATFORM_*) stay home."""
    values = {k: v for k, v in dotenv.items() if not k.startswith("PLATFORM_") and k not in PLATFORM_GIVEN}
    plain = {k: v for k, v in values.items() if not is_secret(k)}
    secrets = {k: v for k, v in values.items() if is_secret(k)}
    return plain, secrets


def peer_environment(project: Project, host_of=lambda spec: spec.name) -> dict[str, str]:
    """`<NAME>_PORT` and `<NAME>_URL` for every process with a port, reached at host_of(spec)."""
    env: dict[str, str] = {}
    for spec in project.processes.values():
        if spec.port is not None:
            key = spec.name.upper().replace("-", "_")
            env[f"{key}_PORT"] = str(spec.port)
            env[f"{key}_URL"] = f"{_SCHEMES.get(spec.probe.kind, 'http')}://{host_of(spec)}:{spec.port}"
    return env


def container_environment(project: Project, dotenv: dict[str, str]) -> dict[str, str]:
    """The environment shared by every container (PORT aside): plain .env, peers by service name."""
    plain, _ = split_dotenv(dotenv)
    return {
        **plain,
        **peer_environment(project),
        "PYTHONUNBUFFERED": "1",
        "PLATFORM_DATA_DIR": CONTAINER_DATA_DIR,
        "BIND_HOST": "0.0.0.0",  # services/common/runner.py: reachable from the other containers
    }


def allowed_hosts(own_names: list[str], dotenv: dict[str, str]) -> str:
    """PLATFORM_ALLOWED_HOSTS for a container: the names its peers call it by (`orders` in
    `http://orders:5100`; hosts.py compares the name without its port), then the ones the user
    lists in .env (a name an ingress or a load balancer gives it). Loopback is always served."""
    given = [name.strip() for name in dotenv.get(ALLOWED_HOSTS, "").split(",") if name.strip()]
    return ",".join(dict.fromkeys([*own_names, *given]))


def instances(spec: ProcessSpec) -> int:
    """How many copies to run: platform.toml's `instances` once that setting exists, else 1."""
    return int(getattr(spec, "instances", 1) or 1)


def max_memory(spec: ProcessSpec):
    """platform.toml's `max_memory` once that setting exists (bytes, or a "512M"-style string)."""
    return getattr(spec, "max_memory", None)


def memory_quantity(value, unit_style: str) -> str:
    """A memory size for compose ("512m") or Kubernetes ("512Mi"): from bytes or "512M"/"1G"/"512MB"."""
    if isinstance(value, int):
        return str(value)
    match = re.fullmatch(r"\s*(\d+)\s*([KMGT]?)(i?B?)?\s*", str(value), re.IGNORECASE)
    if not match:
        raise ValueError(f"max_memory must be bytes or like 512M, not {value!r}")
    number, unit = match.group(1), match.group(2).upper()
    if not unit:
        return number
    return f"{number}{unit.lower()}" if unit_style == "compose" else f"{number}{unit}i"
