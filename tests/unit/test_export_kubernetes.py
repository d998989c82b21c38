import stat

import kubernetes_validate
import pytest
import yaml

from platform_cli.procman.export.bundle import write_bundle
from platform_cli.procman.export.containers import ExportOptions
from platform_cli.procman.export.kubernetes import KUBERNETES_VERSION, render_kubernetes
from tests.unit.exporting import SECRET, repo_project, with_settings

DOTENV = {"GATEWAY_JWT_SECRET": SECRET, "TTS_ENGINE": "espeak"}


def export(tmp_path, project=None, options=ExportOptions()):
    project = project or repo_project(tmp_path, DOTENV)
    files = render_kubernetes(project, DOTENV, "deploy/kubernetes", options)
    docs = {}
    for name, file in files.items():
        if name.endswith(".yaml"):
            for doc in yaml.safe_load_all(file.text):
                docs[(doc["kind"], doc["metadata"]["name"])] = doc
    return files, docs


def validate(doc: dict) -> None:
    # kubernetes-validate ships the OpenAPI schemas of each release; strict: no unknown fields.
    kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_every_manifest_is_valid_for_the_stated_kubernetes_version(tmp_path):
    _, docs = export(tmp_path)
    assert KUBERNETES_VERSION == "1.33.0"
    for doc in docs.values():
        validate(doc)
    assert ("Service", "orders") in docs and ("ConfigMap", "platform-config") in docs and ("Secret", "platform-secrets") in docs


def test_the_validation_can_fail(tmp_path):
    _, docs = export(tmp_path)
    broken = docs[("StatefulSet", "orders")]
    broken["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["httpGet"]["port"] = {"number": 5100}
    with pytest.raises(kubernetes_validate.ValidationError):
        validate(broken)


def test_store_owners_and_redis_are_statefulsets_with_a_volume_claim(tmp_path):
    _, docs = export(tmp_path)
    for name in ("redis", "orders", "delivery", "tts", "gateway"):
        workload = docs[("StatefulSet", name)]["spec"]
        assert workload["volumeClaimTemplates"][0]["spec"]["accessModes"] == ["ReadWriteOnce"]
        assert workload["template"]["spec"]["containers"][0]["volumeMounts"] == [{"name": "data", "mountPath": "/data"}]
    redis = docs[("StatefulSet", "redis")]["spec"]["template"]["spec"]["containers"][0]
    assert redis["image"] == "redis:7" and redis["args"][redis["args"].index("--appendonly") + 1] == "yes"


def test_stateless_processes_are_deployments_rolled_out_like_platform_reload(tmp_path):
    project = with_settings(repo_project(tmp_path, DOTENV), gateway={"instances": 3, "max_memory": "256M"})
    _, docs = export(tmp_path, project, ExportOptions(stateless=frozenset({"gateway"})))
    deployment = docs[("Deployment", "gateway")]
    validate(deployment)
    assert ("StatefulSet", "gateway") not in docs
    assert deployment["spec"]["replicas"] == 3
    assert deployment["spec"]["strategy"]["rollingUpdate"] == {"maxUnavailable": 0, "maxSurge": 1}
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert container["resources"]["limits"] == {"memory": "256Mi"} and "volumeMounts" not in container


def test_probes_come_from_platform_toml(tmp_path):
    _, docs = export(tmp_path)
    orders = docs[("StatefulSet", "orders")]["spec"]["template"]["spec"]["containers"][0]
    # Host: localhost, not the pod's IP the kubelet would send, which the service answers 421.
    probe = {"path": "/health", "port": 5100, "httpHeaders": [{"name": "Host", "value": "localhost"}]}
    assert orders["readinessProbe"]["httpGet"] == probe
    # platform.toml's liveness = "http:/health/live": a Redis outage fails readiness, not liveness.
    assert orders["livenessProbe"]["httpGet"] == {**probe, "path": "/health/live"}
    assert orders["startupProbe"]["failureThreshold"] * orders["startupProbe"]["periodSeconds"] == 20  # start_timeout
    redis = docs[("StatefulSet", "redis")]["spec"]["template"]["spec"]["containers"][0]
    assert redis["readinessProbe"]["exec"]["command"] == ["redis-cli", "-p", "5000", "ping"]


def test_the_watchdogs_settings_become_the_kubelets(tmp_path):
    from platform_cli.procman.health import ProbeSpec

    project = with_settings(repo_project(tmp_path, DOTENV), tts={"liveness": False},
                            orders={"probe_interval": 2.5, "probe_timeout": 1, "failure_threshold": 2, "liveness_threshold": 4,
                                    "liveness_probe": ProbeSpec("http", "/live")})
    _, docs = export(tmp_path, project)
    orders = docs[("StatefulSet", "orders")]["spec"]["template"]["spec"]["containers"][0]
    validate(docs[("StatefulSet", "orders")])
    host = [{"name": "Host", "value": "localhost"}]  # the Host check: a liveness probe of its own sends it too
    assert orders["readinessProbe"] == {"httpGet": {"path": "/health", "port": 5100, "httpHeaders": host}, "periodSeconds": 3,
                                        "timeoutSeconds": 1, "failureThreshold": 2}
    assert orders["livenessProbe"] == {"httpGet": {"path": "/live", "port": 5100, "httpHeaders": host}, "periodSeconds": 3,
                                       "timeoutSeconds": 1, "failureThreshold": 4}
    tts = docs[("StatefulSet", "tts")]["spec"]["template"]["spec"]["containers"][0]
    assert "livenessProbe" not in tts and "readinessProbe" in tts


def test_dependencies_are_init_containers_waiting_for_their_services(tmp_path):
    _, docs = export(tmp_path)
    pod = docs[("StatefulSet", "gateway")]["spec"]["template"]["spec"]
    waits = pod["initContainers"]
    assert [w["name"] for w in waits] == ["wait-for-orders", "wait-for-delivery", "wait-for-tts"]
    assert waits[0]["command"][-2:] == ["orders", "5100"]
    assert "initContainers" not in docs[("StatefulSet", "redis")]["spec"]["template"]["spec"]


def test_config_is_in_a_config_map_and_secrets_only_in_a_0600_secret(tmp_path):
    files, docs = export(tmp_path)
    config = docs[("ConfigMap", "platform-config")]["data"]
    assert config["ORDERS_URL"] == "http://orders:5100" and config["TTS_ENGINE"] == "espeak"
    assert "GATEWAY_JWT_SECRET" not in config
    assert [n for n, f in files.items() if SECRET in f.text] == ["secret.yaml"]
    container = docs[("StatefulSet", "gateway")]["spec"]["template"]["spec"]["containers"][0]
    assert {"secretRef": {"name": "platform-secrets"}} in container["envFrom"]
    write_bundle(files, tmp_path / "out")
    assert stat.S_IMODE((tmp_path / "out" / "secret.yaml").stat().st_mode) == 0o600


def test_a_process_name_kubernetes_cannot_take_is_a_config_error(tmp_path):
    from platform_cli.errors import ConfigError
    from platform_cli.procman.project import load_project

    (tmp_path / "Procfile").write_text("web_api: serve $PORT\n")
    with pytest.raises(ConfigError, match="web_api: not a valid Kubernetes name"):
        render_kubernetes(load_project(tmp_path / "Procfile", 5000, {}), {}, "deploy")


def test_each_container_allows_its_service_names_in_the_namespace_it_is_applied_to(tmp_path):
    _, docs = export(tmp_path)
    container = docs[("StatefulSet", "orders")]["spec"]["template"]["spec"]["containers"][0]
    env = {e["name"]: e for e in container["env"]}
    assert env["POD_NAMESPACE"]["valueFrom"] == {"fieldRef": {"fieldPath": "metadata.namespace"}}
    assert list(env).index("POD_NAMESPACE") < list(env).index("PLATFORM_ALLOWED_HOSTS")  # $(VAR) sees only earlier ones
    assert env["PLATFORM_ALLOWED_HOSTS"]["value"].split(",") == [
        "orders", "orders.$(POD_NAMESPACE)", "orders.$(POD_NAMESPACE).svc", "orders.$(POD_NAMESPACE).svc.cluster.local"]


def test_a_redis_with_password_true_takes_a_generated_secret_that_every_service_reads(tmp_path):
    files, docs = export(tmp_path)  # the repository's platform.toml: password = true under [redis]
    for doc in docs.values():
        validate(doc)
    password = docs[("Secret", "platform-secrets")]["stringData"]["REDIS_PASSWORD"]
    assert len(password) == 43 and [n for n, f in files.items() if password in f.text] == ["secret.yaml"]
    redis = docs[("StatefulSet", "redis")]["spec"]["template"]["spec"]["containers"][0]
    assert redis["args"][-2:] == ["--requirepass", "$(REDIS_PASSWORD)"]
    ref = {"secretKeyRef": {"name": "platform-secrets", "key": "REDIS_PASSWORD"}}
    assert {"name": "REDIS_PASSWORD", "valueFrom": ref} in redis["env"] and {"name": "REDISCLI_AUTH", "valueFrom": ref} in redis["env"]
    assert docs[("ConfigMap", "platform-config")]["data"]["REDIS_URL"] == "redis://redis:5000"  # no password in config
    for name in ("orders", "delivery", "tts", "gateway"):
        container = docs[("StatefulSet", name)]["spec"]["template"]["spec"]["containers"][0]
        assert {"secretRef": {"name": "platform-secrets"}} in container["envFrom"], name


def test_without_dotenv_secrets_the_redis_password_alone_makes_the_secret(tmp_path):
    project = repo_project(tmp_path, {})
    files = render_kubernetes(project, {}, "deploy", passwords={"redis": "chosen-for-this-test-0123456789"})
    secret = yaml.safe_load(files["secret.yaml"].text.split("\n", 1)[1])
    assert secret["stringData"] == {"REDIS_PASSWORD": "chosen-for-this-test-0123456789"}
    assert files["secret.yaml"].secret


def test_an_inferred_http_probe_runs_platforms_check_taking_any_answer_below_500(tmp_path):
    from platform_cli.procman.project import load_project

    (tmp_path / "Procfile").write_text("web: python -m http.server $PORT\n")
    _, docs = export(tmp_path, load_project(tmp_path / "Procfile", 5000, {}))
    (kind, name), = [key for key in docs if key[1] == "web" and key[0] != "Service"]
    validate(docs[(kind, name)])
    web = docs[(kind, name)]["spec"]["template"]["spec"]["containers"][0]
    # The kubelet's httpGet wants 2xx/3xx: a 404 on /health would never be ready.
    check = {"exec": {"command": ["python", "-m", "platform_cli.procman.healthcheck", "http:/health", "5000", "--any-answer"]}}
    assert web["readinessProbe"]["exec"] == check["exec"] and web["livenessProbe"]["exec"] == check["exec"]


def test_the_dashboard_gets_no_manifest(tmp_path):
    files, docs = export(tmp_path)
    assert ("StatefulSet", "dashboard") not in docs and ("Service", "dashboard") not in docs
    assert not [name for name in files if "dashboard" in name]
    assert "DASHBOARD_URL" not in files["configmap.yaml"].text
