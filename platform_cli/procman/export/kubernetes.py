"""`platform export kubernetes`: manifests for `kubectl apply -f DIR`.

Per process: a Service (when it has a port) and a StatefulSet with a PersistentVolumeClaim when
it owns a store (redis always; see containers.py), else a Deployment with `instances` replicas
rolled out like `platform reload` (maxUnavailable 0: a new pod is ready before an old one goes).
Probes become readiness, liveness and startup probes (startup allows start_timeout); depends_on
becomes an initContainer that waits until the dependency's Service accepts connections, which it
does only once a pod behind it is ready. Config in a ConfigMap, .env secrets in a Secret (a 0600
file), `max_memory` as the memory limit.
"""

from __future__ import annotations

import math
import re

from platform_cli.errors import ConfigError
from platform_cli.procman.export.bundle import ExportFile
from platform_cli.procman.export.compose import dump_yaml
from platform_cli.procman.export.containers import (
    REDIS_IMAGE,
    REDIS_PASSWORD,
    ExportOptions,
    command_argv,
    is_redis,
    redis_args,
    store_owners,
)
from platform_cli.procman.export.dockerfile import APP_UID, render_dockerfile
from platform_cli.procman.export.environment import (
    CONTAINER_DATA_DIR,
    container_environment,
    instances,
    max_memory,
    memory_quantity,
    split_dotenv,
)
from platform_cli.procman.project import Project, ProcessSpec

# The version the manifests are written for and validated against (tests: kubernetes-validate).
KUBERNETES_VERSION = "1.33.0"
CONFIG_NAME = "platform-config"
SECRET_NAME = "platform-secrets"
STORE_SIZE = "1Gi"
REDIS_UID = 999  # the official image's redis user
_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")  # what a Service name must be
_WAIT_FOR = (
    "import socket, sys, time\n"
    "host, port = sys.argv[1], int(sys.argv[2])\n"
    "while True:\n"
    "    try:\n"
    "        socket.create_connection((host, port), timeout=2).close()\n"
    "        break\n"
    "    except OSError:\n"
    "        print(f'waiting for {host}:{port}', flush=True)\n"
    "        time.sleep(1)\n"
)


def render_kubernetes(project: Project, dotenv: dict[str, str], out_rel: str, options: ExportOptions = ExportOptions()) -> dict[str, ExportFile]:
    bad = [name for name in project.names if not _DNS_LABEL.fullmatch(name)]
    if bad:
        raise ConfigError(
            f"{', '.join(bad)}: not a valid Kubernetes name (lower-case letters, digits and '-', at most 63)",
            hint="rename the process in the Procfile (its peers find it by that name)",
        )
    _, secrets = split_dotenv(dotenv)
    owners = store_owners(project, options)
    files = {"configmap.yaml": ExportFile(_dump(_config_map(project, dotenv)))}
    if secrets:
        secret = _object("v1", "Secret", SECRET_NAME)
        secret.update({"type": "Opaque", "stringData": dict(sorted(secrets.items()))})
        files["secret.yaml"] = ExportFile(_dump(secret), secret=True)
    for spec in project.processes.values():
        documents = []
        if spec.port is not None:
            documents.append(_service(spec))
        documents.append(_workload(spec, project, options, spec.name in owners, bool(secrets), REDIS_PASSWORD in secrets))
        files[f"{spec.name}.yaml"] = ExportFile(_dump(*documents))
    files.update(render_dockerfile(f"{out_rel}/Dockerfile"))
    return files


def _object(api: str, kind: str, name: str, labels: dict | None = None) -> dict:
    metadata: dict = {"name": name, "labels": {"app.kubernetes.io/part-of": "platform", **(labels or {})}}
    return {"apiVersion": api, "kind": kind, "metadata": metadata}


def _labels(spec: ProcessSpec) -> dict:
    return {"app.kubernetes.io/name": spec.name}


def _config_map(project: Project, dotenv: dict[str, str]) -> dict:
    config = _object("v1", "ConfigMap", CONFIG_NAME)
    config["data"] = container_environment(project, dotenv)
    return config


def _service(spec: ProcessSpec) -> dict:
    service = _object("v1", "Service", spec.name, _labels(spec))
    service["spec"] = {
        "selector": _labels(spec),
        "ports": [{"name": "main", "port": spec.port, "targetPort": spec.port}],
    }
    return service


def _workload(spec: ProcessSpec, project: Project, options: ExportOptions, owns_store: bool, has_secrets: bool, redis_password: bool) -> dict:
    container = _redis_container(spec, redis_password) if is_redis(spec) else _app_container(spec, options, has_secrets)
    container.update(_probes(spec))
    if max_memory(spec) is not None:
        quantity = memory_quantity(max_memory(spec), "kubernetes")
        container["resources"] = {"limits": {"memory": quantity}, "requests": {"memory": quantity}}
    if owns_store:
        container["volumeMounts"] = [{"name": "data", "mountPath": "/data" if is_redis(spec) else CONTAINER_DATA_DIR}]
    uid = REDIS_UID if is_redis(spec) else APP_UID
    pod: dict = {
        "terminationGracePeriodSeconds": math.ceil(spec.stop_timeout),
        # fsGroup: the volume is writable by the image's non-root user.
        "securityContext": {"runAsNonRoot": True, "runAsUser": uid, "fsGroup": uid},
        "containers": [container],
    }
    waits = [_wait_for(project.processes[dep], options) for dep in spec.depends_on if project.processes[dep].port is not None]
    if waits:
        pod["initContainers"] = waits
    template = {"metadata": {"labels": {"app.kubernetes.io/part-of": "platform", **_labels(spec)}}, "spec": pod}
    body: dict = {"selector": {"matchLabels": _labels(spec)}, "template": template}
    if owns_store:
        workload = _object("apps/v1", "StatefulSet", spec.name, _labels(spec))
        # One pod owns the store: a StatefulSet replaces it in place (never two writers at once).
        body = {
            "serviceName": spec.name,
            "replicas": 1,
            **body,
            "updateStrategy": {"type": "RollingUpdate"},
            "volumeClaimTemplates": [
                {
                    "metadata": {"name": "data"},
                    "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": STORE_SIZE}}},
                }
            ],
        }
    else:
        workload = _object("apps/v1", "Deployment", spec.name, _labels(spec))
        body = {
            "replicas": instances(spec),
            # As `platform reload`: a new pod is ready before an old one stops.
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
            **body,
        }
    workload["spec"] = body
    return workload


def _app_container(spec: ProcessSpec, options: ExportOptions, has_secrets: bool) -> dict:
    # args, not command: the image's entry point (secretfiles) stays in front. `$(` is how
    # Kubernetes names its own variables; `$$(` keeps a shell's `$(...)` for the shell.
    container: dict = {
        "name": spec.name,
        "image": options.image,
        "args": [arg.replace("$(", "$$(") for arg in command_argv(spec.command)],
        "envFrom": [{"configMapRef": {"name": CONFIG_NAME}}] + ([{"secretRef": {"name": SECRET_NAME}}] if has_secrets else []),
    }
    if spec.port is not None:
        container["env"] = [{"name": "PORT", "value": str(spec.port)}]
        container["ports"] = [{"name": "main", "containerPort": spec.port}]
    container["securityContext"] = {"allowPrivilegeEscalation": False}
    return container


def _redis_container(spec: ProcessSpec, with_password: bool) -> dict:
    container: dict = {"name": spec.name, "image": REDIS_IMAGE, "args": redis_args(spec, with_password, f"$({REDIS_PASSWORD})")[1:]}
    if with_password:
        container["env"] = [
            {"name": REDIS_PASSWORD, "valueFrom": {"secretKeyRef": {"name": SECRET_NAME, "key": REDIS_PASSWORD}}},
            # redis-cli in the probes reads it from here.
            {"name": "REDISCLI_AUTH", "valueFrom": {"secretKeyRef": {"name": SECRET_NAME, "key": REDIS_PASSWORD}}},
        ]
    container["ports"] = [{"name": "main", "containerPort": spec.port}]
    return container


def _probes(spec: ProcessSpec) -> dict:
    if spec.probe.kind == "none" or spec.port is None:
        return {}
    action = _probe_action(spec, spec.probe)
    # The watchdog's settings (platform.toml), as the kubelet takes them: whole seconds.
    every = {"periodSeconds": max(1, math.ceil(spec.probe_interval)), "timeoutSeconds": max(1, math.ceil(spec.probe_timeout))}
    probes = {
        # Up to start_timeout to become ready, probed every second, before liveness counts.
        "startupProbe": {**action, "periodSeconds": 1, "failureThreshold": max(1, math.ceil(spec.start_timeout)), "timeoutSeconds": 1},
        "readinessProbe": {**action, **every, "failureThreshold": spec.failure_threshold},
    }
    if spec.liveness:
        live = _probe_action(spec, spec.liveness_probe) if spec.liveness_probe else action
        probes["livenessProbe"] = {**live, **every, "failureThreshold": spec.liveness_threshold}
    return probes


def _probe_action(spec: ProcessSpec, probe) -> dict:
    if is_redis(spec) and probe.kind == "redis":
        return {"exec": {"command": ["redis-cli", "-p", str(spec.port), "ping"]}}
    if probe.kind == "http":
        return {"httpGet": {"path": probe.path, "port": spec.port}}
    return {"tcpSocket": {"port": spec.port}}


def _wait_for(dep: ProcessSpec, options: ExportOptions) -> dict:
    return {
        "name": f"wait-for-{dep.name}",
        "image": options.image,
        "command": ["python", "-c", _WAIT_FOR, dep.name, str(dep.port)],
        "securityContext": {"allowPrivilegeEscalation": False},
    }


def _dump(*documents: dict) -> str:
    header = "# Generated by `platform export kubernetes`; apply with `kubectl apply -f` on this directory.\n"
    return header + "---\n".join(dump_yaml(doc) for doc in documents)
