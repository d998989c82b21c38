"""Which programs a supervisord started by `up` spawns as it boots (orchestrator.boot_names)."""

from __future__ import annotations

import socket

import pytest

from platform_cli.errors import PortInUseError
from platform_cli.procman.orchestrator import boot_names
from platform_cli.procman.project import load_project
from tests.helpers import free_port


def _project(tmp_path, ports):
    (tmp_path / "Procfile").write_text("db: sleep 60\nweb: sleep 60\nmigrate: true\njob: true\noff: sleep 60\nlone: sleep 60\n")
    (tmp_path / "platform.toml").write_text(
        f'[db]\nport = {ports[0]}\nprobe = "tcp"\n[web]\ndepends_on = ["db"]\n[migrate]\nkind = "task"\n'
        f'[job]\nkind = "task"\nschedule = "*/5 * * * *"\n[off]\nenabled = false\n[lone]\nport = {ports[1]}\nprobe = "tcp"\n')
    return load_project(tmp_path / "Procfile", 5000, {})


def test_only_services_that_depend_on_nothing_boot_with_supervisord(tmp_path):
    project = _project(tmp_path, [free_port(), free_port()])
    assert boot_names(project, ["db", "web", "migrate", "lone"]) == ["db", "lone"]
    assert boot_names(project, ["web"]) == ["db"]  # `up web`: its dependency, not the others
    assert boot_names(project, ["off"]) == ["off"]  # enabled = false: only when named


def test_a_taken_port_is_refused_before_supervisord_starts(tmp_path):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        project = _project(tmp_path, [free_port(), holder.getsockname()[1]])
        with pytest.raises(PortInUseError, match="lone"):
            boot_names(project, ["lone"])
