"""Serving a service: waitress (a production WSGI server, set up in server.py) plus its background workers.

SIGTERM or SIGINT: waitress stops taking requests and finishes the ones in flight; each worker
finishes the event in hand; then the process exits.
"""

from __future__ import annotations

import os
import signal
import threading
from typing import Callable

from services.common import health
from services.common.server import make_server

WORKER_GRACE_S = 10


def serve(app, workers: list[Callable[[threading.Event], None]], threads: int = 8) -> None:
    port = int(os.environ["PORT"])
    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()
        raise SystemExit(0)  # waitress's loop closes the server on SystemExit

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    # The server first: if the port is taken this fails, and no worker thread keeps the process up.
    # 127.0.0.1 unless told otherwise: a container (`platform export`) sets BIND_HOST=0.0.0.0 so
    # its peers, in other containers, can reach it.
    host = os.environ.get("BIND_HOST") or "127.0.0.1"
    server = make_server(app, host=host, port=port, threads=threads, ident=app.name)
    running = [threading.Thread(target=work, args=(stop,), name=getattr(work, "__qualname__", "worker")) for work in workers]
    health.watch_threads(app, running)
    print(f"{app.name}: serving on http://{host}:{port}", flush=True)
    try:
        for thread in running:
            thread.start()
        server.run()
    finally:
        stop.set()
        for thread in running:
            thread.join(WORKER_GRACE_S)
        print(f"{app.name}: stopped", flush=True)  # a stop that was asked for is no error: stdout
