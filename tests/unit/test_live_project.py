"""The project the open views (monit, the dashboard) refresh from: loaded again after `scale` or an edit."""

import pytest

from platform_cli.errors import ConfigError
from platform_cli.procman.instances import save_scale
from platform_cli.procman.liveproject import LiveProject
from platform_cli.workspace import Workspace


def make(tmp_path) -> LiveProject:
    (tmp_path / "Procfile").write_text("web: serve $PORT\n")
    (tmp_path / "platform.toml").write_text("[web]\nport = 7000\n")
    return Workspace(procfile=tmp_path / "Procfile", data_dir=tmp_path / "data").live_project()


def test_an_instance_scale_adds_appears_with_its_port_and_one_it_removes_goes(tmp_path):
    live = make(tmp_path)
    assert live.current().names == ["web"]
    (tmp_path / "data" / "supervisor").mkdir(parents=True)
    save_scale(tmp_path / "data", "web", 3)
    project = live.current()
    assert project.names == ["web", "web.2", "web.3"] and project.processes["web.3"].port == 7002
    save_scale(tmp_path / "data", "web", 2)
    assert live.current().names == ["web", "web.2"]


def test_unchanged_files_keep_the_loaded_project_and_an_edit_is_seen(tmp_path):
    live = make(tmp_path)
    first = live.current()
    assert live.current() is first  # one stat per file, no parse
    (tmp_path / "Procfile").write_text("web: serve $PORT\nworker: work\n")
    assert live.current().names == ["web", "worker"]


def test_a_half_written_edit_keeps_the_last_good_project_and_a_broken_start_is_an_error(tmp_path):
    live = make(tmp_path)
    assert live.current().names == ["web"]
    (tmp_path / "platform.toml").write_text("[web\n")
    assert live.current().names == ["web"]
    (tmp_path / "platform.toml").write_text("[web]\nport = 7100\n")
    assert live.current().processes["web"].port == 7100
    broken = Workspace(procfile=tmp_path / "Procfile", data_dir=tmp_path / "data").live_project()
    (tmp_path / "platform.toml").write_text("[web\n")
    with pytest.raises(ConfigError):
        broken.current()
