"""The machine's list of running platforms and the base port a second clone gets (procman/registry.py)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from platform_cli.procman.registry import (PlatformEntry, choose_base_port, register, registry_dir, remember_base_port,
                                           remembered_base_port, running_platforms, unregister)


def test_entries_of_dead_daemons_are_dropped_and_unregister_removes_ours(tmp_path, monkeypatch):
    env = {"XDG_CONFIG_HOME": str(tmp_path)}
    monkeypatch.setattr("platform_cli.procman.registry._is_daemon", lambda pid: pid == os.getpid())
    register(PlatformEntry("/p/a", "/p/a/data", 5000, os.getpid(), {"web": 5000}), env)
    register(PlatformEntry("/p/b", "/p/b/data", 6000, 999_999_999), env)
    assert [e.project_dir for e in running_platforms(env)] == ["/p/a"]
    assert len(list(registry_dir(env).glob("*.json"))) == 1  # the dead one's file is gone
    assert oct(next(registry_dir(env).glob("*.json")).stat().st_mode & 0o777) == "0o600"
    unregister(Path("/p/a/data"), env)
    assert running_platforms(env) == []


def test_a_second_clone_moves_to_the_first_free_block_and_remembers_it(tmp_path, monkeypatch):
    env = {"XDG_CONFIG_HOME": str(tmp_path)}
    monkeypatch.setattr("platform_cli.procman.registry._is_daemon", lambda pid: True)
    register(PlatformEntry("/p/a", "/p/a/data", 5000, 1), env)
    register(PlatformEntry("/p/c", "/p/c/data", 6000, 2), env)
    busy = {7000}
    free = lambda port: port not in busy  # noqa: E731
    assert choose_base_port(Path("/p/a/data"), 5000, 3, env, free) == 5000  # its own entry is no clash
    assert choose_base_port(Path("/p/b/data"), 5000, 3, env, free) == 8000  # 6000 is c's, 7000 is busy
    assert choose_base_port(Path("/p/b/data"), 9000, 3, env, free) == 9000
    remember_base_port(tmp_path / "data", 8000)
    assert remembered_base_port(tmp_path / "data") == 8000
    (tmp_path / "data" / "base_port").write_text("not a port")
    assert remembered_base_port(tmp_path / "data") is None
    assert json.loads(next(registry_dir(env).glob("*.json")).read_text())["base_port"] in (5000, 6000)
