"""compose files -> Procfile + platform.toml.

Each service with a command becomes a Procfile line (an exec list is joined back into one shell
line, `sh -c X` unwrapped to X); healthchecks become probes, depends_on stays, replicas and
memory limits become `instances` / `max_memory` where platform.toml accepts them. What platform
itself gives a process (PORT, peers' addresses, PLATFORM_DATA_DIR, a data volume) is recognised
and left to it; everything else is a note. Files from `platform export compose` come back as
they went out: a service run from another image keeps its Procfile line in `x-platform-command`.
"""

from __future__ import annotations

import re

from platform_cli.errors import ConfigError
from platform_cli.procman.export.compose import COMMAND_KEY, HEALTHCHECK_MODULE, LIVENESS_KEY
from platform_cli.procman.export.containers import procfile_command
from platform_cli.procman.export.environment import ALLOWED_HOSTS, CONTAINER_DATA_DIR, PLATFORM_GIVEN
from platform_cli.procman.importers.result import (
    ImportedProcess,
    ImportResult,
    carry_redis_password,
    clean_name,
    is_redis_command,
    make_result,
    parse_duration,
)

# Read into the Procfile or a setting below; any other key of a service is a note.
_MAPPED = {"image", "build", "command", "environment", "healthcheck", "depends_on", "deploy", "scale", "mem_limit",
           "stop_grace_period", "restart", "ports", "volumes", "secrets", "expose", "container_name", COMMAND_KEY, LIVENESS_KEY}  # fmt: skip
_HTTP_URL = re.compile(r"https?://(?:localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\])(?::\d+)?(/[^\s'\"]*)?")


def parse_compose(data, source: str, accepted=None) -> ImportResult:
    if not isinstance(data, dict) or not isinstance(data.get("services"), dict) or not data["services"]:
        raise ConfigError(f"{source}: no `services`: not a compose file")
    data = unescape_dollars(data)
    services: dict = data["services"]
    notes = [f"top-level {key}: not carried over" for key in data if key not in ("services", "volumes", "secrets", "name", "version")]
    peers = set()
    for name in services:
        key = clean_name(name).upper().replace("-", "_")
        peers |= {f"{key}_URL", f"{key}_PORT"}
    processes: list[ImportedProcess] = []
    environments: dict[str, dict] = {}
    secrets: dict[str, list[str]] = {}
    redis_passwords = set()  # the secrets that were a Redis server's password
    for name, service in services.items():
        service = service or {}
        command = _command(name, service, notes)
        if command is None:
            continue
        process = ImportedProcess(clean_name(name), command)
        if process.name != name:
            notes.append(f"{name}: renamed {process.name} (Procfile names use letters, digits, _ and -)")
        env = _environment(service.get("environment"))
        _port(service, env, command, process, notes)
        _allowed_hosts(name, env, notes)
        environments[process.name] = {k: v for k, v in env.items() if k not in PLATFORM_GIVEN and k not in peers}
        _settings(service, process, notes)
        own_secrets = [secret.get("source") if isinstance(secret, dict) else str(secret) for secret in service.get("secrets") or []]
        for secret in own_secrets:
            secrets.setdefault(secret, []).append(process.name)
        if process.settings.get("probe") == "redis" or is_redis_command(command):
            key = process.name.upper().replace("-", "_") + "_PASSWORD"  # export.containers.password_key
            raw = service.get("command")
            asked = key in own_secrets or "--requirepass" in (raw if isinstance(raw, str) else " ".join(map(str, raw or [])))
            carry_redis_password(process, asked, notes)
            if key in own_secrets:
                redis_passwords.add(key)
        processes.append(process)
    notes.extend(_environment_notes(environments))
    for secret, users in secrets.items():
        if secret in redis_passwords:
            continue  # said with its redis above; it must not go in .env, where every process would get it
        notes.append(f"secret {secret} (of {', '.join(users)}) not carried over: its value goes in .env as {secret}=... (keep .env 0600)")
    return make_result(processes, notes, source, accepted)


def _command(name: str, service: dict, notes: list[str]) -> str | None:
    if service.get(COMMAND_KEY):
        return str(service[COMMAND_KEY])
    command = service.get("command")
    image = str(service.get("image") or "")
    if "build" not in service and image.split("/")[-1].split(":")[0] == "redis":
        # A Redis server from the official image: redis-server on the port platform gives it.
        notes.append(f"{name}: runs the image {image}; imported as `redis-server --port $PORT --appendonly yes` (a redis-server on PATH)")
        return "redis-server --port $PORT --appendonly yes"
    if command is None:
        what = f"the image {image}" if image else "its image"
        notes.append(f"{name}: no command (it runs {what}'s own): not carried over; add its Procfile line by hand")
        return None
    if service.get("entrypoint") is not None:
        notes.append(f"{name}: entrypoint not carried over (only the command is)")
    if "build" not in service and image:
        notes.append(f"{name}: runs in the image {image}: its command must be installed on this machine")
    text = command if isinstance(command, str) else procfile_command([str(c) for c in command])
    return " ".join(text.split("\n")) if "\n" in text and isinstance(command, str) else text


def _environment(value) -> dict[str, str]:
    if isinstance(value, list):  # ["KEY=value", "KEY"]
        pairs = (item.split("=", 1) for item in value)
        return {p[0]: p[1] if len(p) > 1 else "" for p in pairs}
    return {str(k): "" if v is None else str(v) for k, v in (value or {}).items()}


def _port(service: dict, env: dict, command: str, process: ImportedProcess, notes: list[str]) -> None:
    port = env.get("PORT")
    if port is None:
        command = service.get("command")
        words = " ".join(map(str, command)) if isinstance(command, list) else str(command or "")
        match = re.search(r"--port[ =](\d+)", words)
        port = match.group(1) if match else None
    if port is not None:
        try:
            process.settings["port"] = int(port)
        except ValueError:
            notes.append(f"{process.name}: PORT = {port!r} is not a port: not carried over")
    for mapping in service.get("ports") or []:
        text = str(mapping.get("published", "")) + ":" + str(mapping.get("target", "")) if isinstance(mapping, dict) else str(mapping)
        parts = text.split(":")
        if not (len(parts) >= 2 and parts[-1] == parts[-2] == str(port)):
            notes.append(f"{process.name}: ports {text} not carried over (platform listens on 127.0.0.1 at the process's own port)")


def _allowed_hosts(name: str, env: dict, notes: list[str]) -> None:
    """A service's own name in PLATFORM_ALLOWED_HOSTS is how its peers reached it in compose;
    under platform they call 127.0.0.1, which is always served. Other names go in .env."""
    if ALLOWED_HOSTS not in env:
        return
    others = [h.strip() for h in env.pop(ALLOWED_HOSTS).split(",") if h.strip() and h.strip().lower() != name.lower()]
    if others:
        notes.append(f"{name}: {ALLOWED_HOSTS} {','.join(others)} not carried over: to be reached by those names, "
                     f"put {ALLOWED_HOSTS}={','.join(others)} in .env")


def _settings(service: dict, process: ImportedProcess, notes: list[str]) -> None:
    name, settings = process.name, process.settings
    probe = _probe(service.get("healthcheck"), name, notes)
    if probe is not None:
        settings["probe"] = probe
    if probe is not None and isinstance(service.get(LIVENESS_KEY), (bool, str)):  # from `platform export compose`
        settings["liveness"] = service[LIVENESS_KEY]
    health = service.get("healthcheck") or {}
    if health.get("start_period") is not None and parse_duration(health["start_period"]):
        settings["start_timeout"] = parse_duration(health["start_period"])
    depends = service.get("depends_on") or []
    if isinstance(depends, dict):
        for dep, how in depends.items():
            condition = (how or {}).get("condition", "service_started")
            if condition not in ("service_started", "service_healthy"):
                notes.append(f"{name}: depends_on {dep} with {condition} not carried over as such: platform waits until {dep} is ready")
        depends = list(depends)
    settings["depends_on"] = [clean_name(d) for d in depends]
    if service.get("stop_grace_period") is not None:
        settings["stop_timeout"] = parse_duration(service["stop_grace_period"]) or 10.0
    deploy = service.get("deploy") or {}
    replicas = deploy.get("replicas", service.get("scale"))
    if replicas is not None:
        settings["instances"] = int(replicas)
    memory = (((deploy.get("resources") or {}).get("limits") or {}).get("memory")) or service.get("mem_limit")
    if memory is not None:
        settings["max_memory"] = memory
    for key in deploy:
        if key not in ("replicas", "resources"):
            notes.append(f"{name}: deploy.{key} not carried over")
    if str(service.get("restart", "")) == "no":
        notes.append(f"{name}: restart: no not carried over (platform always restarts a process that exits)")
    for volume in service.get("volumes") or []:
        target = volume.get("target") if isinstance(volume, dict) else str(volume).split(":")[1] if ":" in str(volume) else str(volume)
        if target not in (CONTAINER_DATA_DIR, "/data"):
            notes.append(f"{name}: volume {volume} not carried over (a process keeps its files under PLATFORM_DATA_DIR)")
    for key in service:
        if key not in _MAPPED and key != "entrypoint":
            notes.append(f"{name}: {key} not carried over (no platform equivalent)")


def _probe(health, name: str, notes: list[str]) -> str | None:
    if not health:
        return None
    if health.get("disable") in (True, "true"):
        return "none"
    test = health.get("test")
    words = test.split() if isinstance(test, str) else [str(w) for w in (test or [])]
    if words and words[0] in ("CMD", "CMD-SHELL"):
        words = words[1:] if words[0] == "CMD" else " ".join(words[1:]).split()
    if words == ["NONE"] or test == ["NONE"]:
        return "none"
    if HEALTHCHECK_MODULE in words:
        after = words[words.index(HEALTHCHECK_MODULE) + 1 :]
        if after:
            return after[0]
    if "redis-cli" in words and "ping" in [w.lower() for w in words]:  # CMD-SHELL: after REDISCLI_AUTH=...
        return "redis"
    if words and words[0] in ("curl", "wget"):
        for word in words:
            match = _HTTP_URL.fullmatch(word.strip("'\""))
            if match:
                return f"http:{match.group(1) or '/'}"
    notes.append(f"{name}: healthcheck {' '.join(words)!r} not carried over (probes: http[:/path], tcp, redis)")
    return None


def _environment_notes(environments: dict[str, dict]) -> list[str]:
    """One note for values every service shares (they belong in .env), one per service for the rest."""
    environments = {name: env for name, env in environments.items() if env}
    if not environments:
        return []
    first = next(iter(environments.values()))
    shared = sorted(k for k, v in first.items() if all(env.get(k) == v for env in environments.values()))
    notes = []
    if shared and len(environments) > 1:
        notes.append(f"environment {', '.join(shared)} (the same in every service) not carried over: put it in .env")
    for name, env in environments.items():
        own = sorted(k for k in env if k not in shared or len(environments) == 1)
        if own:
            notes.append(f"{name}: environment {', '.join(own)} not carried over (platform has no per-process environment)")
    return notes


def unescape_dollars(value):
    """compose's `$$` is a literal `$` (export.compose.escape_dollars' inverse)."""
    if isinstance(value, str):
        return value.replace("$$", "$")
    if isinstance(value, list):
        return [unescape_dollars(v) for v in value]
    if isinstance(value, dict):
        return {k: unescape_dollars(v) for k, v in value.items()}
    return value
