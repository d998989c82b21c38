"""What a local user (not the platform's) or a web page could reach under `platform up`."""

from __future__ import annotations

import os
import stat

import pytest
import redis

pytestmark = pytest.mark.e2e


def test_redis_wants_the_generated_password_and_refuses_dangerous_commands(stack):
    project = stack
    secret_file = project.data / "secrets" / "redis.password"
    assert stat.S_IMODE(os.stat(secret_file).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(secret_file.parent).st_mode) == 0o700
    password = secret_file.read_text().strip()
    assert len(password) >= 32
    port = project.ports["redis"]
    stranger = redis.Redis(host="127.0.0.1", port=port, socket_timeout=5)
    with pytest.raises(redis.AuthenticationError):
        stranger.ping()
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:  # as a stranger would, byte by byte
        sock.sendall(b"KEYS *\r\n")
        assert sock.recv(256).startswith(b"-NOAUTH")
        sock.sendall(b"CONFIG SET dir /tmp\r\n")
        assert sock.recv(256).startswith(b"-ERR unknown command `CONFIG`")
    owner = redis.Redis(host="127.0.0.1", port=port, password=password, socket_timeout=5)
    assert owner.ping()
    for command in (("CONFIG", "SET", "dir", "/tmp"), ("DEBUG", "SLEEP", "0"), ("MODULE", "LIST"), ("SHUTDOWN",)):
        with pytest.raises(redis.ResponseError, match="unknown command"):
            owner.execute_command(*command)
    # The services and the probe have it (through REDIS_URL and the file): all healthy.
    rows = project.status()
    assert {n: rows[n]["health"]["status"] for n in ("redis", "orders", "delivery", "tts")} == dict.fromkeys(("redis", "orders", "delivery", "tts"), "ok")
    # ... and no other local user can read it: not on any command line, not in a readable file.
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = open(f"/proc/{pid}/cmdline", "rb").read()
        except OSError:
            continue
        assert password.encode() not in cmdline, cmdline
    for folder, _, files in os.walk(project.root):
        for name in files:
            path = os.path.join(folder, name)
            mode = os.lstat(path).st_mode
            if stat.S_ISREG(mode) and mode & 0o044:
                with open(path, "rb") as f:
                    assert password.encode() not in f.read(), path
