import pytest

from platform_cli.config import load_settings
from platform_cli.errors import ConfigError
from platform_cli.user_config import config_dir, remember_project


def test_defaults_are_the_procfile_here_and_data_beside_it(tmp_path, monkeypatch):
    (tmp_path / "Procfile").write_text("web: serve\n")
    monkeypatch.chdir(tmp_path)
    settings = load_settings(environ={})
    assert settings.procfile == tmp_path / "Procfile"
    assert settings.data_dir == tmp_path / "data" and settings.base_port == 5000


def test_command_line_beats_environment_beats_dotenv(tmp_path):
    (tmp_path / ".env").write_text("PLATFORM_DATA_DIR=/from/dotenv\nPLATFORM_BASE_PORT=6000\n")
    procfile = tmp_path / "Procfile"
    assert load_settings(procfile, environ={}).data_dir.as_posix() == "/from/dotenv"
    assert load_settings(procfile, environ={}).base_port == 6000
    env = {"PLATFORM_DATA_DIR": "/from/env", "PLATFORM_BASE_PORT": "7000"}
    assert load_settings(procfile, environ=env).data_dir.as_posix() == "/from/env"
    assert load_settings(procfile, environ=env).base_port == 7000
    assert load_settings(procfile, tmp_path / "cli", environ=env).data_dir == tmp_path / "cli"


def test_procfile_from_the_environment(tmp_path):
    settings = load_settings(environ={"PLATFORM_PROCFILE": str(tmp_path / "elsewhere" / "Procfile")})
    assert settings.data_dir == tmp_path / "elsewhere" / "data"


@pytest.mark.parametrize("value", ["abc", "0", "70000"])
def test_a_bad_base_port_is_a_config_error(tmp_path, value):
    with pytest.raises(ConfigError, match="PLATFORM_BASE_PORT"):
        load_settings(tmp_path / "Procfile", environ={"PLATFORM_BASE_PORT": value})


def test_log_rotation_is_configurable_and_bounded_by_default(tmp_path):
    default = load_settings(tmp_path / "Procfile", environ={})
    assert (default.log_max_bytes, default.log_backups) == (10 * 1024 * 1024, 3)
    custom = load_settings(tmp_path / "Procfile", environ={"PLATFORM_LOG_MAX_BYTES": "4096", "PLATFORM_LOG_BACKUPS": "5"})
    assert (custom.log_max_bytes, custom.log_backups) == (4096, 5)
    with pytest.raises(ConfigError, match="PLATFORM_LOG_BACKUPS must be 1-100"):
        load_settings(tmp_path / "Procfile", environ={"PLATFORM_LOG_BACKUPS": "0"})


def test_a_relative_data_dir_in_dotenv_is_beside_the_procfile(tmp_path, monkeypatch):
    project = tmp_path / "proj"
    project.mkdir()
    (project / ".env").write_text("PLATFORM_DATA_DIR=mydata\n")
    monkeypatch.chdir(tmp_path)
    assert load_settings(project / "Procfile", environ={}).data_dir == project / "mydata"


def test_the_procfile_is_found_in_the_nearest_folder_above(tmp_path):
    (tmp_path / "Procfile").write_text("web: serve\n")
    deep = tmp_path / "src" / "pkg"
    deep.mkdir(parents=True)
    settings = load_settings(environ={}, cwd=deep)
    assert settings.procfile == tmp_path / "Procfile" and settings.data_dir == tmp_path / "data"
    # -f and PLATFORM_PROCFILE still win over the search.
    assert load_settings(tmp_path / "other" / "Procfile", environ={}, cwd=deep).procfile == tmp_path / "other" / "Procfile"
    assert load_settings(environ={"PLATFORM_PROCFILE": "/x/Procfile"}, cwd=deep).procfile.as_posix() == "/x/Procfile"


def test_no_procfile_anywhere_is_a_config_error_with_a_hint(tmp_path):
    with pytest.raises(ConfigError, match=f"no Procfile in {tmp_path} or any folder above it") as raised:
        load_settings(environ={"XDG_CONFIG_HOME": str(tmp_path / "cfg")}, cwd=tmp_path, anywhere=True)
    assert "-f PATH" in raised.value.hint and "platform login" in raised.value.hint


def test_service_commands_fall_back_to_the_project_last_logged_in_from(tmp_path):
    environ = {"XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    project, elsewhere = tmp_path / "project", tmp_path / "elsewhere"
    project.mkdir(), elsewhere.mkdir()
    (project / "Procfile").write_text("web: serve\n")
    remember_project(project / "Procfile", tmp_path / "custom-data", environ)
    saved = config_dir(environ) / "last-project.json"
    assert saved.stat().st_mode & 0o777 == 0o600
    settings = load_settings(environ=environ, cwd=elsewhere, anywhere=True)
    assert (settings.procfile, settings.data_dir) == (project / "Procfile", tmp_path / "custom-data")
    # Other commands do not: they act on the folder they run in.
    with pytest.raises(ConfigError, match="no Procfile"):
        load_settings(environ=environ, cwd=elsewhere)
    # A project folder here wins over the remembered one.
    (elsewhere / "Procfile").write_text("web: serve\n")
    assert load_settings(environ=environ, cwd=elsewhere, anywhere=True).procfile == elsewhere / "Procfile"


def test_an_env_profile_layers_its_file_over_dotenv(tmp_path):
    from platform_cli.config import load_settings

    (tmp_path / "Procfile").write_text("a: run\n")
    (tmp_path / ".env").write_text("A=1\nB=2\n")
    (tmp_path / ".env.production").write_text("B=3\n")
    settings = load_settings(tmp_path / "Procfile", environ={}, profile="production")
    assert (settings.dotenv, settings.profile) == ({"A": "1", "B": "3"}, "production")
    assert load_settings(tmp_path / "Procfile", environ={"PLATFORM_ENV": "production"}).dotenv["B"] == "3"
