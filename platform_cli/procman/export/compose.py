"""`platform export compose`: a docker compose file (compose specification) from the project.

One service per process, all from the project's image but redis (the official image, AOF on a
named volume); probes become healthchecks run by `procman/healthcheck.py`, the very probes
platform uses; depends_on waits for `service_healthy`; peers are reached by service name (each
service lists its own in PLATFORM_ALLOWED_HOSTS, or answers its peers 421); data
on named volumes; .env secrets become compose secrets whose values compose reads from the
0600 `.env` beside compose.yaml, never from the compose file. A redis with `password = true`
gets a password made for this export, as the secret REDIS_PASSWORD: redis-server's requirepass
and every other service's REDIS_PASSWORD (their REDIS_URL, plain config, carries none).
"""

from __future__ import annotations

import os
import re

import yaml

from platform_cli.procman.export.bundle import ExportFile
from platform_cli.procman.export.containers import (
    REDIS_IMAGE,
    ExportOptions,
    command_argv,
    export_secrets,
    is_redis,
    password_key,
    redis_args,
    store_owners,
)
from platform_cli.procman.export.dockerfile import render_dockerfile
from platform_cli.procman.export.environment import (
    ALLOWED_HOSTS,
    CONTAINER_DATA_DIR,
    allowed_hosts,
    container_environment,
    instances,
    max_memory,
    memory_quantity,
)
from platform_cli.procman.export.selection import exported
from platform_cli.procman.project import Project, ProcessSpec

COMPOSE_FILE = "compose.yaml"
# The Procfile line a service came from when the service runs another image (redis), so that
# `platform import compose` gives the same Procfile back. compose ignores x- keys.
COMMAND_KEY = "x-platform-command"
# The watchdog's liveness when it is not the readiness probe (a probe of its own, or off): compose
# has no liveness, so it rides along for `platform import compose` only.
LIVENESS_KEY = "x-platform-liveness"
HEALTHCHECK_MODULE = "platform_cli.procman.healthcheck"


def render_compose(
    project: Project, dotenv: dict[str, str], out_rel: str, options: ExportOptions = ExportOptions(), passwords: dict[str, str] | None = None
) -> dict[str, ExportFile]:
    """compose.yaml, the Dockerfile it builds, and (with secrets) the 0600 .env compose reads.

    out_rel: the output directory relative to the project directory (where the build runs).
    passwords: {redis process: password} for `password = true` (default: fresh ones).
    """
    from platform_cli.procman.passwords import new_passwords

    project = exported(project)  # not platform's own dashboard (selection.py)
    secrets = export_secrets(project, dotenv, new_passwords(project) if passwords is None else passwords)
    owners = store_owners(project, options)
    context = os.path.relpath(".", out_rel)  # compose resolves it from compose.yaml's directory
    dockerfile = os.path.join(out_rel, "Dockerfile")  # from the context
    shared_env = container_environment(project, dotenv)
    services = {}
    for spec in project.processes.values():
        if is_redis(spec):
            service = _redis_service(spec)
        else:
            service = {
                "image": options.image,
                "build": {"context": context, "dockerfile": dockerfile},
                "command": command_argv(spec.command),
                "environment": {
                    **shared_env,
                    **({"PORT": str(spec.port)} if spec.port is not None else {}),
                    # Peers call it by its service name: without it there, every call is a 421.
                    ALLOWED_HOSTS: allowed_hosts([spec.name], dotenv),
                },
            }
            if secrets:
                service["secrets"] = sorted(secrets)
        service.update(_common(spec, project, spec.name in owners))
        services[spec.name] = service
    # The project's name, not the output folder's ("compose"), prefixes containers and volumes.
    document: dict = {"name": re.sub(r"[^a-z0-9_-]+", "-", project.dir.name.lower()).strip("-_") or "platform", "services": services}
    volumes = {f"{name}-data": {} for name in owners}
    if volumes:
        document["volumes"] = volumes
    if secrets:
        document["secrets"] = {key: {"environment": key} for key in sorted(secrets)}
    files = {COMPOSE_FILE: ExportFile(_header(out_rel) + dump_yaml(escape_dollars(document)))}
    files.update(render_dockerfile(dockerfile))
    if secrets:
        # compose reads .env beside the compose file for itself; the containers get only secrets.
        lines = "".join(f"{key}={_dotenv_quote(value)}\n" for key, value in sorted(secrets.items()))
        files[".env"] = ExportFile("# Secret values for compose.yaml's secrets; keep this file 0600 and out of git.\n" + lines, secret=True)
    return files


def _redis_service(spec: ProcessSpec) -> dict:
    service = {"image": REDIS_IMAGE, COMMAND_KEY: spec.command}
    if spec.password:  # the secret is a file: a shell reads it, then the image's entry point runs
        args = redis_args(spec, f'"$(cat {_secret_file(spec)})"')
        service["command"] = ["sh", "-c", "exec docker-entrypoint.sh " + " ".join(args)]
        service["secrets"] = [password_key(spec)]
    else:
        service["command"] = redis_args(spec, None)
    return service


def _secret_file(spec: ProcessSpec) -> str:
    return f"/run/secrets/{password_key(spec)}"


def _common(spec: ProcessSpec, project: Project, owns_store: bool) -> dict:
    service: dict = {}
    if owns_store:
        service["volumes"] = [f"{spec.name}-data:{'/data' if is_redis(spec) else CONTAINER_DATA_DIR}"]
    if spec.depends_on:
        service["depends_on"] = {dep: {"condition": _condition(spec, project.processes[dep])} for dep in spec.depends_on}
    healthcheck = _healthcheck(spec)
    if healthcheck:
        service["healthcheck"] = healthcheck
        if spec.liveness_probe is not None or not spec.liveness:
            service[LIVENESS_KEY] = _probe_text(spec.liveness_probe) if spec.liveness else False
    if spec.port is not None and instances(spec) == 1:
        service["ports"] = [f"127.0.0.1:{spec.port}:{spec.port}"]  # as on the laptop: this machine only
    deploy: dict = {}
    if instances(spec) != 1:
        deploy["replicas"] = instances(spec)
    if max_memory(spec) is not None:
        deploy["resources"] = {"limits": {"memory": memory_quantity(max_memory(spec), "compose")}}
    if deploy:
        service["deploy"] = deploy
    service["stop_grace_period"] = _duration(spec.stop_timeout)
    # platform.toml's restart: "always" is unless-stopped, so that a `docker compose stop` holds.
    service["restart"] = {"always": "unless-stopped", "on_failure": "on-failure", "no": "no"}[spec.restart]
    if spec.stop_signal != "TERM":
        service["stop_signal"] = f"SIG{spec.stop_signal}"
    return service


def _condition(spec: ProcessSpec, dep: ProcessSpec) -> str:
    """compose's condition for a depends_on entry: platform.toml's, where compose can check it."""
    wanted = spec.conditions.get(dep.name, "healthy")
    if wanted == "completed_successfully" or dep.is_task:
        return "service_completed_successfully"
    if wanted == "started" or _healthcheck(dep) is None:
        return "service_started"
    return "service_healthy"


def _healthcheck(spec: ProcessSpec) -> dict | None:
    # A log probe has no compose equivalent (a healthcheck cannot read the container's log).
    if spec.probe.kind in ("none", "log") or (spec.port is None and spec.probe.kind != "exec"):
        return None
    if spec.probe.kind == "exec":
        test = ["CMD-SHELL", spec.probe.path]
    elif is_redis(spec) and spec.password:
        # redis-cli takes the password from REDISCLI_AUTH, never its command line; grep, since
        # a refused AUTH is printed, not always an exit status.
        test = ["CMD-SHELL", f'REDISCLI_AUTH="$(cat {_secret_file(spec)})" redis-cli -p {spec.port} ping | grep -q PONG']
    elif is_redis(spec):
        test = ["CMD", "redis-cli", "-p", str(spec.port), "ping"]
    else:
        test = ["CMD", "python", "-m", HEALTHCHECK_MODULE, _probe_text(spec.probe), str(spec.port)]
        if spec.probe.inferred:
            test.append("--any-answer")  # the probe platform inferred from $PORT: any answer below 500
    # start_period: time to become ready (start_timeout); start_interval: probe often meanwhile.
    # interval, timeout, retries: the watchdog's probe_interval, probe_timeout, failure_threshold
    # (compose marks a container unhealthy; it restarts none: liveness has no compose equivalent).
    return {"test": test, "interval": _duration(spec.probe_interval), "timeout": _duration(spec.probe_timeout),
            "retries": spec.failure_threshold, "start_period": _duration(spec.start_timeout), "start_interval": "1s"}


def _probe_text(probe) -> str:
    """A probe as platform.toml spells it."""
    return f"http:{probe.path}" if probe.kind == "http" else probe.kind


def _duration(seconds: float) -> str:
    return f"{int(seconds)}s" if float(seconds).is_integer() else f"{int(seconds * 1000)}ms"


def _header(out_rel: str) -> str:
    return (
        "# Generated by `platform export compose` from the Procfile, platform.toml and .env.\n"
        f"# Run it: docker compose -f {os.path.join(out_rel, COMPOSE_FILE)} up --build\n"
    )


def _dotenv_quote(value: str) -> str:
    """compose's .env: single quotes are literal (no `$` interpolation), double quotes take escapes."""
    if "'" not in value:
        return f"'{value}'"
    if "$" not in value:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    raise ValueError("a secret holding both ' and $ cannot be written to compose's .env")


def escape_dollars(value):
    """compose interpolates `$VAR` in every string; `$$` is a literal dollar for the container."""
    if isinstance(value, str):
        return value.replace("$", "$$")
    if isinstance(value, list):
        return [escape_dollars(v) for v in value]
    if isinstance(value, dict):
        return {k: escape_dollars(v) for k, v in value.items()}
    return value


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data):  # every service spelled out, no &anchors
        return True


def _list(dumper, data):
    # Short lists of words read best on one line: command: [python, -m, services.orders]
    flow = all(isinstance(item, (int, float)) or (isinstance(item, str) and "\n" not in item) for item in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


def _str(dumper, data):
    # A script (an initContainer's wait loop) keeps its lines: a literal block, not "\n" escapes.
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|" if "\n" in data else None)


_Dumper.add_representer(list, _list)
_Dumper.add_representer(str, _str)


def dump_yaml(document) -> str:
    return yaml.dump(document, Dumper=_Dumper, sort_keys=False, default_flow_style=False, allow_unicode=True, width=120)
