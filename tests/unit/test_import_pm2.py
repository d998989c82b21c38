import json
import shutil

import pytest

from platform_cli.errors import ConfigError
from platform_cli.procman.importers.pm2 import load_ecosystem, parse_pm2
from platform_cli.procman.importers.result import accepted_settings
from platform_cli.procman.project import load_project

APPS = {
    "apps": [
        {"name": "api", "script": "server.js", "instances": 2, "exec_mode": "cluster", "max_memory_restart": "300M",
         "env": {"PORT": 3000, "NODE_ENV": "production"}, "kill_timeout": 3000, "listen_timeout": 8000, "max_restarts": 3},
        {"name": "worker", "script": "worker.py", "args": ["--queue", "jobs"], "watch": True},
        {"name": "tool", "script": "./bin/tool", "interpreter": "none", "args": "--fast"},
    ],
    "deploy": {"production": {"host": "example"}},
}  # fmt: skip
JS = "module.exports = " + json.dumps(APPS) + ";\n"


def test_an_ecosystem_file_becomes_a_procfile_and_platform_toml(tmp_path):
    result = parse_pm2(APPS, "ecosystem.json")
    assert result.procfile.splitlines()[1:] == ["api: node server.js", "worker: python3 worker.py --queue jobs", "tool: ./bin/tool --fast"]
    assert "[api]\nstart_timeout = 8\nstop_timeout = 3\nretries = 3\nport = 3000\n" in result.options
    (tmp_path / "Procfile").write_text(result.procfile)
    (tmp_path / "platform.toml").write_text(result.options)
    api = load_project(tmp_path / "Procfile", 5000, {}).processes["api"]
    assert (api.port, api.stop_timeout, api.start_timeout, api.retries) == (3000, 3.0, 8.0, 3)


def test_what_platform_cannot_express_is_listed():
    notes = "\n".join(parse_pm2(APPS, "ecosystem.json").notes)
    for expected in ("deploy: not carried over", "api: env NODE_ENV not carried over", "api: exec_mode not carried over",
                     "worker: watch not carried over"):  # fmt: skip
        assert expected in notes
    if "instances" not in accepted_settings():
        assert "api: instances = 2 not carried over (platform.toml has no `instances` yet)" in notes
    assert ("max_memory" in accepted_settings()) != ("api: max_memory = '300M' not carried over" in notes)


def test_instances_and_memory_become_settings_once_platform_toml_accepts_them():
    result = parse_pm2(APPS, "ecosystem.json", accepted=accepted_settings() | {"instances", "max_memory"})
    assert 'port = 3000\ninstances = 2\nmax_memory = "300M"\n' in result.options


@pytest.mark.parametrize("name, text", [("ecosystem.json", json.dumps(APPS)), ("ecosystem.yaml", "apps:\n  - name: api\n    script: server.js\n")])
def test_json_and_yaml_files_are_read(tmp_path, name, text):
    (tmp_path / name).write_text(text)
    assert parse_pm2(load_ecosystem(tmp_path / name), name).procfile.splitlines()[1] == "api: node server.js"


@pytest.mark.skipif(not shutil.which("node"), reason="node is not installed")
def test_a_javascript_file_is_read_by_node(tmp_path):
    (tmp_path / "ecosystem.config.js").write_text(JS)
    assert load_ecosystem(tmp_path / "ecosystem.config.js") == APPS


@pytest.mark.skipif(not shutil.which("node"), reason="node is not installed")
def test_javascript_that_node_cannot_load_is_a_config_error(tmp_path):
    (tmp_path / "ecosystem.config.js").write_text("module.exports = {apps: [\n")
    with pytest.raises(ConfigError, match="node could not load"):
        load_ecosystem(tmp_path / "ecosystem.config.js")


def test_a_javascript_file_without_node_is_a_clear_error(tmp_path):
    (tmp_path / "ecosystem.config.js").write_text(JS)
    with pytest.raises(ConfigError, match="needs node, which is not installed") as caught:
        load_ecosystem(tmp_path / "ecosystem.config.js", node="")
    assert "JSON or YAML" in caught.value.hint


def test_not_an_ecosystem_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="no `apps` list"):
        parse_pm2({"services": {}}, "x.json")
    (tmp_path / "bad.json").write_text("{apps: ")
    with pytest.raises(ConfigError, match="not valid JSON"):
        load_ecosystem(tmp_path / "bad.json")


def test_a_redis_with_a_password_becomes_password_true_without_the_old_value(tmp_path):
    apps = {"apps": [
        {"name": "redis", "script": "services.redis", "interpreter": "python", "interpreter_args": "-m",
         "args": ["--requirepass", "old-secret-value"]},
        {"name": "cache", "script": "redis-server", "interpreter": "none", "env": {"REDIS_PASSWORD": "other-secret"}},
    ]}  # fmt: skip
    result = parse_pm2(apps, "ecosystem.json")
    assert result.procfile.splitlines()[1:] == ["redis: python -m services.redis", "cache: redis-server"]
    assert '[redis]\nprobe = "redis"\npassword = true\n' in result.options and "[cache]" not in result.options
    notes = "\n".join(result.notes)
    assert "old-secret-value" not in notes + result.options and "other-secret" not in notes
    assert "cache: password not carried over" in notes
    (tmp_path / "Procfile").write_text(result.procfile)
    (tmp_path / "platform.toml").write_text(result.options)
    assert load_project(tmp_path / "Procfile", 5000, {}).processes["redis"].password
