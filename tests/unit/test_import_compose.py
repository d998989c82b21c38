import dataclasses

import pytest
import yaml

from platform_cli.errors import ConfigError
from platform_cli.procman.export.compose import render_compose
from platform_cli.procman.importers.compose import parse_compose
from platform_cli.procman.importers.result import accepted_settings
from platform_cli.procman.procfile import load_procfile
from platform_cli.procman.project import load_project
from tests.unit.exporting import REPO, SECRET, repo_project, with_settings


def write(tmp_path, result):
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "Procfile").write_text(result.procfile)
    (tmp_path / "platform.toml").write_text(result.options)
    return load_project(tmp_path / "Procfile", 5000, {})


def test_export_then_import_gives_back_the_repositorys_procfile_and_platform_toml(tmp_path):
    dotenv = {"GATEWAY_JWT_SECRET": SECRET, "TTS_ENGINE": "espeak"}
    (tmp_path / "original").mkdir()
    original = repo_project(tmp_path / "original", dotenv)
    compose = render_compose(original, dotenv, "deploy/compose")["compose.yaml"].text
    result = parse_compose(yaml.safe_load(compose), "compose.yaml")
    back = write(tmp_path / "back", result)
    # All but the dashboard, which is not exported (it shows a platform's supervisord).
    assert load_procfile(tmp_path / "back" / "Procfile") == {n: c for n, c in load_procfile(REPO / "Procfile").items() if n != "dashboard"}
    same = repo_project(tmp_path / "original", {})
    assert set(back.processes) == set(same.processes) - {"dashboard"}
    for name, spec in back.processes.items():
        assert dataclasses.replace(spec, env={}) == dataclasses.replace(same.processes[name], env={}), name
    # What was not carried over is said, and the secret's value is not.
    assert any("GATEWAY_JWT_SECRET" in n and ".env" in n for n in result.notes)
    assert any("TTS_ENGINE" in n for n in result.notes)
    assert not any(SECRET in n for n in result.notes)


def test_a_foreign_compose_file_maps_what_it_can_and_lists_the_rest():
    doc = {
        "services": {
            "web": {
                "build": ".",
                "command": "gunicorn app:app --bind 0.0.0.0:$${PORT}",
                "environment": {"PORT": "8000", "DEBUG": "1"},
                "healthcheck": {"test": ["CMD", "curl", "-f", "http://localhost:8000/ready"], "start_period": "1m30s"},
                "depends_on": {"db": {"condition": "service_healthy"}, "cache": {"condition": "service_started"}},
                "deploy": {"replicas": 3, "resources": {"limits": {"memory": "512M"}}},
                "stop_grace_period": "30s",
                "networks": ["front"],
                "ports": ["80:8000"],
            },
            "cache": {"image": "redis:7-alpine", "command": ["redis-server", "--port", "5100"], "healthcheck": {"test": "redis-cli ping"}},
            "db": {"image": "postgres:16"},
        },
        "networks": {"front": {}},
    }
    result = parse_compose(doc, "compose.yaml", accepted=accepted_settings())
    assert result.procfile.splitlines()[1:] == ["web: gunicorn app:app --bind 0.0.0.0:${PORT}", "cache: redis-server --port $PORT --appendonly yes"]
    options = result.options
    assert '[web]\nprobe = "http:/ready"\ndepends_on = ["cache"]\nstart_timeout = 90\nstop_timeout = 30\nport = 8000\n' in options
    assert '[cache]\nprobe = "redis"\n' in options
    notes = "\n".join(result.notes)
    assert ("max_memory" in accepted_settings()) != ("max_memory = '512M' not carried over" in notes)
    assert ("instances" in accepted_settings()) != ("instances = 3 not carried over" in notes)
    for expected in ("db: no command", "depends_on db not carried over",
                     "networks not carried over", "ports 80:8000 not carried over", "environment DEBUG", "top-level networks"):  # fmt: skip
        assert expected in notes


def test_replicas_and_memory_limits_become_settings_once_platform_toml_accepts_them(tmp_path):
    doc = {"services": {"worker": {"build": ".", "command": ["python", "work.py"], "deploy": {"replicas": 2}, "mem_limit": "1g"}}}
    result = parse_compose(doc, "compose.yaml", accepted=accepted_settings() | {"instances", "max_memory"})
    assert result.options.endswith('[worker]\ninstances = 2\nmax_memory = "1g"\n') and result.notes == []


def test_every_setting_an_import_may_write_is_one_platform_toml_accepts(tmp_path):
    from platform_cli.procman.project import load_options

    values = {"probe": '"tcp"', "depends_on": "[]", "port": "6000", "start_timeout": "5", "stop_timeout": "5", "retries": "1",
              "instances": "2", "max_memory": '"512M"', "password": "true", "liveness": '"http:/live"'}  # fmt: skip
    for key in accepted_settings():
        (tmp_path / "platform.toml").write_text(f"[web]\n{key} = {values[key]}\n")
        load_options(tmp_path / "platform.toml", ["web"])  # raises ConfigError on a setting it does not know


def test_liveness_off_comes_back_from_an_exported_compose_file(tmp_path):
    (tmp_path / "original").mkdir()
    original = with_settings(repo_project(tmp_path / "original", {}), tts={"liveness": False})
    compose = yaml.safe_load(render_compose(original, {}, "deploy/compose")["compose.yaml"].text)
    assert compose["services"]["tts"]["x-platform-liveness"] is False
    assert compose["services"]["orders"]["x-platform-liveness"] == "http:/health/live"
    assert "x-platform-liveness" not in compose["services"]["gateway"]  # the readiness probe serves
    back = write(tmp_path / "back", parse_compose(compose, "compose.yaml"))
    assert back.processes["tts"].liveness is False and back.processes["orders"].liveness_probe.path == "/health/live"
    assert back.processes["gateway"].liveness is True and back.processes["gateway"].liveness_probe is None


def test_instances_and_max_memory_are_accepted_once_process_spec_carries_them(monkeypatch):
    from platform_cli.procman.importers import result
    from tests.unit.exporting import FutureSpec

    monkeypatch.setattr(result, "ProcessSpec", FutureSpec)
    assert {"instances", "max_memory"} <= result.accepted_settings()


def test_exported_replicas_come_back_as_instances(tmp_path):
    project = with_settings(repo_project(tmp_path), tts={"instances": 2})
    from platform_cli.procman.export.containers import ExportOptions

    compose = render_compose(project, {}, "deploy", ExportOptions(stateless=frozenset({"tts"})))["compose.yaml"].text
    result = parse_compose(yaml.safe_load(compose), "compose.yaml", accepted=accepted_settings() | {"instances"})
    assert '[tts]\nprobe = "http:/health"\ndepends_on = ["redis"]\ninstances = 2\n' in result.options


def test_not_a_compose_file_is_a_config_error():
    with pytest.raises(ConfigError, match="no `services`"):
        parse_compose({"apps": []}, "x.yaml")
    with pytest.raises(ConfigError, match="nothing to import"):
        parse_compose({"services": {"db": {"image": "postgres"}}}, "x.yaml")


def test_a_services_own_name_in_allowed_hosts_is_left_to_platform_and_other_names_are_a_note():
    doc = {"services": {
        "api": {"build": ".", "command": "serve", "environment": {"PLATFORM_ALLOWED_HOSTS": "api,api.example.com"}},
        "worker": {"build": ".", "command": "work", "environment": {"PLATFORM_ALLOWED_HOSTS": "worker"}},
    }}  # fmt: skip
    notes = parse_compose(doc, "compose.yaml").notes
    assert notes == ["api: PLATFORM_ALLOWED_HOSTS api.example.com not carried over: to be reached by those names, "
                     "put PLATFORM_ALLOWED_HOSTS=api.example.com in .env"]  # fmt: skip


def test_the_exported_redis_password_comes_back_as_password_true_and_never_as_a_dotenv_note(tmp_path):
    project = repo_project(tmp_path, {})
    compose = render_compose(project, {}, "deploy", passwords={"redis": "chosen-for-this-test-0123456789"})["compose.yaml"].text
    result = parse_compose(yaml.safe_load(compose), "compose.yaml")
    assert '[redis]\nprobe = "redis"\npassword = true\n' in result.options
    notes = "\n".join(result.notes)
    assert "redis: its password is not carried over; `password = true`" in notes
    assert "REDIS_PASSWORD=" not in notes and "chosen-for-this-test" not in notes + result.procfile


def test_a_foreign_redis_password_leaves_the_procfile_line_and_is_a_note_for_a_bare_redis_server():
    doc = {"services": {
        "cache": {"build": ".", "command": "redis-server --port 6400 --requirepass hunter2-secret", "healthcheck": {"test": "redis-cli ping"}},
        "store": {"build": ".", "command": ["python", "-m", "services.redis", "--requirepass", "other-secret"]},
    }}  # fmt: skip
    result = parse_compose(doc, "compose.yaml")
    assert "secret" not in result.procfile
    assert result.procfile.splitlines()[1:] == ["cache: redis-server --port 6400", "store: python -m services.redis"]
    assert "[cache]\nprobe = \"redis\"\nport = 6400\n" in result.options and "password" not in result.options.split("[store]")[0]
    assert '[store]\nprobe = "redis"\npassword = true\n' in result.options
    assert any(n.startswith("cache: password not carried over") for n in result.notes)
