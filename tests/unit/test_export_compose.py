import json
import re
import shutil
import stat
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml

from platform_cli.errors import ConfigError
from platform_cli.procman.export.bundle import write_bundle
from platform_cli.procman.export.compose import render_compose
from platform_cli.procman.export.containers import ExportOptions
from tests.unit.exporting import SECRET, repo_project, with_settings

# compose-spec/compose-spec@170098ba07d9f53c383a41bfd4c5166b0a4529a6 schema/compose-spec.json
# (Apache-2.0, licence beside it): the schema docker compose itself validates against.
SCHEMA = json.loads((Path(__file__).parent / "schemas" / "compose-spec.json").read_text())
DOTENV = {"GATEWAY_JWT_SECRET": SECRET, "TTS_ENGINE": "espeak", "PLATFORM_BASE_PORT": "5000"}


def validate(document: dict) -> None:
    jsonschema.Draft7Validator(SCHEMA).validate(document)


def export(tmp_path, project=None, options=ExportOptions()):
    project = project or repo_project(tmp_path, DOTENV)
    files = render_compose(project, DOTENV, "deploy/compose", options)
    return files, yaml.safe_load(files["compose.yaml"].text)


def test_the_repository_exports_a_compose_file_the_compose_schema_accepts(tmp_path):
    _, doc = export(tmp_path)
    validate(doc)
    # Not the dashboard: it shows a platform's supervisord, which a container does not run.
    assert list(doc["services"]) == ["redis", "orders", "delivery", "tts", "gateway"]


def test_the_schema_check_can_fail(tmp_path):
    _, doc = export(tmp_path)
    doc["services"]["orders"]["depends_on"]["redis"]["condition"] = "service_ready"  # not a condition compose knows
    with pytest.raises(jsonschema.ValidationError):
        validate(doc)


def test_redis_runs_the_official_image_with_append_only_persistence_on_a_named_volume(tmp_path):
    _, doc = export(tmp_path)
    redis = doc["services"]["redis"]
    assert redis["image"] == "redis:7" and "build" not in redis
    command = redis["command"][2].split()  # sh -c: the password file is read by a shell
    assert command[command.index("--appendonly") + 1] == "yes" and command[command.index("--port") + 1] == "5000"
    assert redis["volumes"] == ["redis-data:/data"] and "redis-data" in doc["volumes"]


def test_a_redis_without_a_password_runs_redis_server_directly(tmp_path):
    (tmp_path / "Procfile").write_text("redis: python -m services.redis\n")
    (tmp_path / "platform.toml").write_text('[redis]\nprobe = "redis"\n')
    from platform_cli.procman.project import load_project

    doc = yaml.safe_load(render_compose(load_project(tmp_path / "Procfile", 5000, {}), {}, "deploy")["compose.yaml"].text)
    validate(doc)
    redis = doc["services"]["redis"]
    assert redis["command"][:3] == ["redis-server", "--port", "5000"] and "--requirepass" not in redis["command"]
    assert redis["healthcheck"]["test"] == ["CMD", "redis-cli", "-p", "5000", "ping"]
    assert "secrets" not in redis and "secrets" not in doc


def test_processes_build_one_image_and_reach_peers_by_service_name(tmp_path):
    _, doc = export(tmp_path)
    orders = doc["services"]["orders"]
    assert orders["build"] == {"context": "../..", "dockerfile": "deploy/compose/Dockerfile"}
    assert orders["command"] == ["python", "-m", "services.orders"]
    env = orders["environment"]
    assert env["REDIS_URL"] == "redis://redis:5000" and env["GATEWAY_URL"] == "http://gateway:5400"
    assert env["PORT"] == "5100" and env["BIND_HOST"] == "0.0.0.0" and env["PLATFORM_DATA_DIR"] == "/data"
    assert env["TTS_ENGINE"] == "espeak" and "PLATFORM_BASE_PORT" not in env


def test_probes_become_healthchecks_and_dependencies_wait_until_healthy(tmp_path):
    _, doc = export(tmp_path)
    gateway = doc["services"]["gateway"]
    assert gateway["healthcheck"]["test"] == ["CMD", "python", "-m", "platform_cli.procman.healthcheck", "http:/health", "5400"]
    assert gateway["healthcheck"]["start_period"] == "20s"
    assert gateway["depends_on"] == {n: {"condition": "service_healthy"} for n in ("orders", "delivery", "tts")}
    assert gateway["stop_grace_period"] == "10s"


def test_every_process_owns_a_data_volume_unless_declared_stateless(tmp_path):
    _, doc = export(tmp_path, options=ExportOptions(stateless=frozenset({"tts"})))
    assert doc["services"]["orders"]["volumes"] == ["orders-data:/data"]
    assert "volumes" not in doc["services"]["tts"] and "tts-data" not in doc["volumes"]


def test_secrets_are_compose_secrets_read_from_a_0600_env_file_never_from_the_compose_file(tmp_path):
    files, doc = export(tmp_path)
    assert SECRET not in files["compose.yaml"].text
    assert doc["secrets"]["GATEWAY_JWT_SECRET"] == {"environment": "GATEWAY_JWT_SECRET"}
    assert "GATEWAY_JWT_SECRET" in doc["services"]["gateway"]["secrets"]
    assert "GATEWAY_JWT_SECRET" not in doc["services"]["gateway"]["environment"]
    write_bundle(files, tmp_path / "out")
    env_file = tmp_path / "out" / ".env"
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600 and f"GATEWAY_JWT_SECRET='{SECRET}'" in env_file.read_text()
    assert stat.S_IMODE((tmp_path / "out" / "compose.yaml").stat().st_mode) == 0o644


def test_a_redis_with_password_true_gets_a_generated_secret_that_redis_and_every_service_read(tmp_path):
    files, doc = export(tmp_path)  # the repository's platform.toml: password = true under [redis]
    validate(doc)
    assert doc["secrets"]["REDIS_PASSWORD"] == {"environment": "REDIS_PASSWORD"}
    redis = doc["services"]["redis"]
    assert redis["secrets"] == ["REDIS_PASSWORD"]
    assert '--requirepass "$$(cat /run/secrets/REDIS_PASSWORD)"' in redis["command"][2]
    assert redis["healthcheck"]["test"] == [
        "CMD-SHELL", 'REDISCLI_AUTH="$$(cat /run/secrets/REDIS_PASSWORD)" redis-cli -p 5000 ping | grep -q PONG']
    for name in ("orders", "delivery", "tts", "gateway"):
        service = doc["services"][name]
        # The image's entry point turns /run/secrets/REDIS_PASSWORD into REDIS_PASSWORD, which
        # services/common/streams.connect uses because REDIS_URL, plain config, carries none.
        assert "REDIS_PASSWORD" in service["secrets"] and service["environment"]["REDIS_URL"] == "redis://redis:5000", name
    write_bundle(files, tmp_path / "out")
    password = re.search(r"^REDIS_PASSWORD='([A-Za-z0-9_-]{43})'$", (tmp_path / "out" / ".env").read_text(), re.M).group(1)
    assert password not in files["compose.yaml"].text
    assert stat.S_IMODE((tmp_path / "out" / ".env").stat().st_mode) == 0o600


def test_each_export_makes_a_fresh_password_never_the_local_one(tmp_path):
    from platform_cli.procman.passwords import load_passwords

    project = repo_project(tmp_path, DOTENV)
    local = load_passwords(project, tmp_path / "data", create=True)["redis"]
    first, second = (render_compose(project, DOTENV, "deploy")[".env"].text for _ in range(2))
    assert local not in first and local not in second and first != second


def test_given_passwords_are_used_as_given(tmp_path):
    project = repo_project(tmp_path, DOTENV)
    files = render_compose(project, DOTENV, "deploy", passwords={"redis": "chosen-for-this-test-0123456789"})
    assert "REDIS_PASSWORD='chosen-for-this-test-0123456789'" in files[".env"].text


def test_a_redis_password_in_dotenv_is_refused_rather_than_kept_as_a_second_way(tmp_path):
    dotenv = {**DOTENV, "REDIS_PASSWORD": "pw-" + SECRET}
    with pytest.raises(ConfigError, match="REDIS_PASSWORD in .env") as caught:
        render_compose(repo_project(tmp_path, dotenv), dotenv, "deploy/compose")
    assert "password = true" in caught.value.hint


def test_instances_and_max_memory_flow_into_replicas_and_limits_once_platform_has_them(tmp_path):
    project = with_settings(repo_project(tmp_path, DOTENV), tts={"instances": 3, "max_memory": "512M"})
    _, doc = export(tmp_path, project, ExportOptions(stateless=frozenset({"tts"})))
    validate(doc)
    tts = doc["services"]["tts"]
    assert tts["deploy"] == {"replicas": 3, "resources": {"limits": {"memory": "512m"}}}
    assert "ports" not in tts  # three copies cannot publish one host port


def test_several_instances_of_a_store_owner_are_refused(tmp_path):
    project = with_settings(repo_project(tmp_path), orders={"instances": 2})
    with pytest.raises(ConfigError, match="orders runs 2 instances") as caught:
        render_compose(project, {}, "deploy/compose")
    assert "--stateless orders" in caught.value.hint


def test_shell_commands_run_through_sh_with_dollars_kept_from_compose_interpolation(tmp_path):
    (tmp_path / "Procfile").write_text("web: serve --port $PORT && echo done\n")
    from platform_cli.procman.project import load_project

    project = load_project(tmp_path / "Procfile", 5000, {})
    doc = yaml.safe_load(render_compose(project, {}, "deploy")["compose.yaml"].text)
    validate(doc)
    assert doc["services"]["web"]["command"] == ["sh", "-c", "serve --port $$PORT && echo done"]


@pytest.mark.skipif(not shutil.which("docker"), reason="docker is not installed")
def test_docker_compose_config_accepts_it_where_compose_is_installed(tmp_path):
    if subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=30).returncode != 0:
        pytest.skip("docker is installed without the compose plugin")
    files, _ = export(tmp_path)
    write_bundle(files, tmp_path / "deploy" / "compose")
    run = subprocess.run(["docker", "compose", "-f", str(tmp_path / "deploy/compose/compose.yaml"), "config", "--quiet"],
                         capture_output=True, text=True, timeout=60)  # fmt: skip
    assert run.returncode == 0, run.stderr


def test_secrets_are_told_by_their_names():
    from platform_cli.procman.export.environment import is_secret

    secret = ["GATEWAY_JWT_SECRET", "REDIS_PASSWORD", "API_TOKEN", "STRIPE_KEY", "AWS_CREDENTIALS", "secret"]
    plain = ["GATEWAY_TOKEN_TTL", "TTS_ENGINE", "KEYS_DIR", "MONKEY", "PORT"]
    assert [k for k in secret + plain if is_secret(k)] == secret


def test_each_service_allows_its_own_service_name_as_host_so_peers_and_healthchecks_get_no_421(tmp_path):
    dotenv = {**DOTENV, "PLATFORM_ALLOWED_HOSTS": "api.example.com"}
    project = repo_project(tmp_path, dotenv)
    doc = yaml.safe_load(render_compose(project, dotenv, "deploy/compose")["compose.yaml"].text)
    validate(doc)
    for name in ("orders", "delivery", "tts", "gateway"):
        assert doc["services"][name]["environment"]["PLATFORM_ALLOWED_HOSTS"] == f"{name},api.example.com", name
    assert "PLATFORM_ALLOWED_HOSTS" not in (doc["services"]["redis"].get("environment") or {})



def test_restart_policy_stop_signal_and_task_conditions_carry_over_to_compose(tmp_path):
    from platform_cli.procman.project import load_project

    (tmp_path / "Procfile").write_text("migrate: python -m migrate\nweb: python -m web $PORT\nworker: python -m worker\n")
    (tmp_path / "platform.toml").write_text(
        '[migrate]\nkind = "task"\n[web]\nstop_signal = "INT"\ndepends_on = { migrate = "completed_successfully", worker = "started" }\n'
        '[worker]\nrestart = "on_failure"\nprobe = "exec:./alive.sh"\n')
    project = load_project(tmp_path / "Procfile", 5000, {})
    _, doc = export(tmp_path, project)
    validate(doc)
    services = doc["services"]
    assert (services["migrate"]["restart"], services["worker"]["restart"], services["web"]["restart"]) == ("no", "on-failure", "unless-stopped")
    assert services["web"]["stop_signal"] == "SIGINT" and "stop_signal" not in services["worker"]
    assert services["web"]["depends_on"] == {"migrate": {"condition": "service_completed_successfully"},
                                             "worker": {"condition": "service_started"}}
    assert services["worker"]["healthcheck"]["test"] == ["CMD-SHELL", "./alive.sh"]


def test_an_inferred_http_probe_is_exported_taking_any_answer_below_500_and_a_written_one_is_not(tmp_path):
    from platform_cli.procman.project import load_project

    (tmp_path / "Procfile").write_text("web: python -m http.server $PORT\napi: python -m api $PORT\n")
    (tmp_path / "platform.toml").write_text('[api]\nprobe = "http:/health"\n')
    _, doc = export(tmp_path, load_project(tmp_path / "Procfile", 5000, {}))
    validate(doc)
    check = ["CMD", "python", "-m", "platform_cli.procman.healthcheck", "http:/health"]
    assert doc["services"]["web"]["healthcheck"]["test"] == [*check, "5000", "--any-answer"]
    assert doc["services"]["api"]["healthcheck"]["test"] == [*check, "5100"]


def test_platforms_own_dashboard_is_not_exported_whatever_its_name_and_nothing_waits_for_it(tmp_path):
    from platform_cli.procman.project import load_project

    (tmp_path / "Procfile").write_text("web: python -m web $PORT\nboard: python -m platform_cli.dashboard\n"
                                       "mine: python -m platform_cli.dashboards_of_mine $PORT\n")
    (tmp_path / "platform.toml").write_text('[board]\nprobe = "http:/health"\n[web]\ndepends_on = ["board"]\n')
    _, doc = export(tmp_path, load_project(tmp_path / "Procfile", 5000, {}))
    validate(doc)
    assert list(doc["services"]) == ["web", "mine"]
    assert "depends_on" not in doc["services"]["web"] and "BOARD_URL" not in doc["services"]["web"]["environment"]
