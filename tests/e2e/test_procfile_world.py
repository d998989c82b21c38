"""Habits of the Procfile world (honcho, foreman, Heroku) that work under `platform` unchanged."""

from __future__ import annotations

import urllib.request
from pathlib import Path

from tests.helpers import free_port, port_is_listening, wait_until

SERVER = """\
import os
from http.server import BaseHTTPRequestHandler, HTTPServer

class Hello(BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"hello from " + os.environ["PORT"].encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

HTTPServer(("127.0.0.1", int(os.environ["PORT"])), Hello).serve_forever()
"""
WORKER = """\
import os, time
print("worker got PORT", os.environ["PORT"], flush=True)
while True:
    time.sleep(1)
"""


def _free_base_port() -> int:
    """A base port whose second line's port (base + 100) is free as well."""
    return wait_until(lambda: (base := free_port()) < 65000 and not port_is_listening(base + 100) and base, what="two free ports")


def _environ(pid: int) -> dict[bytes, bytes]:
    items = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(item.split(b"=", 1) for item in items if b"=" in item)


def test_a_procfile_written_for_honcho_runs_unchanged_with_port_for_every_process(project):
    # No platform.toml, commands that never mention $PORT: the programs read it themselves.
    (project.root / "srv.py").write_text(SERVER)
    (project.root / "worker.py").write_text(WORKER)
    (project.root / "Procfile").write_text("web: python srv.py\nworker: python worker.py\n")
    base = _free_base_port()
    (project.root / ".env").write_text(f"PLATFORM_BASE_PORT={base}\n")
    project.ok("up")
    rows = project.wait_running("web", "worker")
    with urllib.request.urlopen(f"http://127.0.0.1:{base}/", timeout=5) as answer:
        assert answer.read() == f"hello from {base}".encode()
    assert _environ(rows["worker"]["pid"])[b"PORT"] == str(base + 100).encode()
    assert rows["web"]["restarts"] == 0 and rows["worker"]["restarts"] == 0
    assert not (project.root / "platform.toml").exists()
