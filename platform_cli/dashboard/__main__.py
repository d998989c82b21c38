"""The dashboard process: `python -m platform_cli.dashboard`, as the Procfile runs it.

It finds its project as every command does (the Procfile in its working directory, the data dir
supervisord gives it in PLATFORM_DATA_DIR), the gateway in GATEWAY_URL, Redis (for the services' event streams) in REDIS_URL, and serves on
127.0.0.1:$PORT under waitress.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def main() -> int:
    from platform_cli.dashboard import create_app
    from platform_cli.dashboard.hosts import allowed_hosts
    from platform_cli.errors import PlatformError
    from platform_cli.workspace import Workspace

    port, gateway_url = os.environ.get("PORT"), os.environ.get("GATEWAY_URL")
    if not port or not port.isdigit():
        print("error: PORT is not set: run the dashboard from the Procfile (`platform up`)", file=sys.stderr)
        return 2
    if not gateway_url:
        print("error: GATEWAY_URL is not set: the dashboard signs in through the gateway; add `depends_on = [\"gateway\"]`",
              file=sys.stderr)
        return 2
    data_dir = os.environ.get("PLATFORM_DATA_DIR")
    try:
        ws = Workspace(data_dir=Path(data_dir) if data_dir else None)
        project = ws.live_project()
        project.current()  # a broken Procfile: one error line now, not a failing page later
        app = create_app({"GATEWAY_URL": gateway_url, "REDIS_URL": os.environ.get("REDIS_URL"), "DATA_DIR": ws.settings.data_dir, "PROJECT": project,
                          "SOCKET": ws.daemon.socket_path, "ALLOWED_HOSTS": allowed_hosts()})
    except PlatformError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    import waitress

    print(f"dashboard: http://127.0.0.1:{port}/", flush=True)
    # Each open page holds one thread for its event stream; 16 leave room for requests beside them.
    waitress.serve(app, host="127.0.0.1", port=int(port), threads=16, ident="platform-dashboard", channel_timeout=300)
    return 0


if __name__ == "__main__":
    sys.exit(main())
