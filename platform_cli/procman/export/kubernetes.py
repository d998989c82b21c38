"""`platform export kubernetes`: manifests for `kubectl apply -f DIR`.

Per process: a Service (when it has a port) and a StatefulSet with a PersistentVolumeClaim when
it owns a store (redis always; see containers.py), else a Deployment with `instances` replicas
rolled out like `platform reload` (maxUnavailable 0: a new pod is ready before an old one goes).
Probes become readiness, liveness and startup probes (startup allows start_timeout); depends_on
becomes an initContainer that waits until the dependency's Service accepts connections, which it
does only once a pod behind it is ready. Config in a ConfigMap, .env secrets in a Secret (a 0600
file), `max_memory` as the memory limit. A redis with `password = true` gets a password made for
this export, REDIS_PASSWORD in the Secret: its requirepass, and every service's REDIS_PASSWORD
through `envFrom` (REDIS_URL, in the ConfigMap, carries none). Services refuse a Host they do not serve
(services/common/hosts.py): each container allows its Service's DNS names, and HTTP probes send
`Host: localhost` rather than the pod's IP.
"""

from __future__ import annotations

import math
import re

from platform_cli.errors import ConfigError
from platform_cli.procman.export.bundle import ExportFile
from platform_cli.procman.export.compose import HEALTHCHECK_MODULE, dump_yaml
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
from platform_cli.procman.export.dockerfile import APP_UID, render_dockerfile
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

# The version the manifests are written for and validated against (tests: kubernetes-validate).
KUBERNETES_VERSION = "1.33.0"
CONFIG_NAME = "platform-config"
SECRET_NAME = "platform-secrets"
STORE_SIZE = "1Gi"
CLUSTER_DOMAIN = "cluster.local"  # the kubelet's default --cluster-domain
# The name kubelet HTTP probes send as Host (by default the pod's IP, which hosts.py refuses).
PROBE_HOST = "localhost"
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


def render_kubernetes(
    project: Project, dotenv: dict[str, str], out_rel: str, options: ExportOptions = ExportOptions(), passwords: dict[str, str] | None = None
) -> dict[str, ExportFile]:
    """passwords: {redis process: password} for `password = true` (default: fresh ones)."""
    from platform_cli.procman.passwords import new_passwords

    project = exported(project)  # not platform's own dashboard (selection.py)
    bad = [name for name in project.names if not _DNS_LABEL.fullmatch(name)]
    if bad:
        raise ConfigError(
            f"{', '.join(bad)}: not a valid Kubernetes name (lower-case letters, digits and '-', at most 63)",
            hint="rename the process in the Procfile (its peers find it by that name)",
        )
    secrets = export_secrets(project, dotenv, new_passwords(project) if passwords is None else passwords)
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
        documents.append(_workload(spec, project, dotenv, options, spec.name in owners, bool(secrets)))
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


def _workload(spec: ProcessSpec, project: Project, dotenv: dict[str, str], options: ExportOptions, owns_store: bool, has_secrets: bool) -> dict:
    container = _redis_container(spec) if is_redis(spec) else _app_container(spec, options, has_secrets, dotenv)
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


def service_names(name: str, namespace: str) -> list[str]:
    """The names cluster DNS gives a Service: short, with its namespace, and fully qualified."""
    return [name, f"{name}.{namespace}", f"{name}.{namespace}.svc", f"{name}.{namespace}.svc.{CLUSTER_DOMAIN}"]


def _app_container(spec: ProcessSpec, options: ExportOptions, has_secrets: bool, dotenv: dict[str, str]) -> dict:
    # args, not command: the image's entry point (secretfiles) stays in front. `$(` is how
    # Kubernetes names its own variables; `$$(` keeps a shell's `$(...)` for the shell.
    container: dict = {
        "name": spec.name,
        "image": options.image,
        "args": [arg.replace("$(", "$$(") for arg in command_argv(spec.command)],
        "envFrom": [{"configMapRef": {"name": CONFIG_NAME}}] + ([{"secretRef": {"name": SECRET_NAME}}] if has_secrets else []),
    }
    container["env"] = [
        *([{"name": "PORT", "value": str(spec.port)}] if spec.port is not None else []),
        # The Service's names, in whatever namespace it is applied to: peers call `orders`, other
        # namespaces `orders.<ns>.svc[.cluster.local]`; any other Host is a 421 (hosts.py).
        {"name": "POD_NAMESPACE", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}},
        {"name": ALLOWED_HOSTS, "value": allowed_hosts(service_names(spec.name, "$(POD_NAMESPACE)"), dotenv)},
    ]
    if spec.port is not None:
        container["ports"] = [{"name": "main", "containerPort": spec.port}]
    container["securityContext"] = {"allowPrivilegeEscalation": False}
    return container


def _redis_container(spec: ProcessSpec) -> dict:
    key = password_key(spec)
    # `$(KEY)`: Kubernetes puts the Secret's value there when the container starts, not in the spec.
    container: dict = {"name": spec.name, "image": REDIS_IMAGE, "args": redis_args(spec, f"$({key})" if spec.password else None)[1:]}
    if spec.password:
        secret = {"secretKeyRef": {"name": SECRET_NAME, "key": key}}
        container["env"] = [
            {"name": key, "valueFrom": secret},
            {"name": "REDISCLI_AUTH", "valueFrom": secret},  # redis-cli in the probes reads it from here
        ]
    container["ports"] = [{"name": "main", "containerPort": spec.port}]
    return container


def _probes(spec: ProcessSpec) -> dict:
    # A log probe has no Kubernetes equivalent: the kubelet cannot read the container's log.
    if spec.probe.kind in ("none", "log") or (spec.port is None and spec.probe.kind != "exec"):
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
    if probe.kind == "exec":
        return {"exec": {"command": ["sh", "-c", probe.path]}}
    if probe.kind == "http" and probe.inferred:
        # The kubelet's httpGet wants 2xx/3xx; platform's inferred probe takes any answer below 500.
        return {"exec": {"command": ["python", "-m", HEALTHCHECK_MODULE, f"http:{probe.path}", str(spec.port), "--any-answer"]}}
    if probe.kind == "http":
        # The kubelet sends the pod's IP as Host, which the services refuse (hosts.py): name one they serve.
        return {"httpGet": {"path": probe.path, "port": spec.port, "httpHeaders": [{"name": "Host", "value": PROBE_HOST}]}}
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
