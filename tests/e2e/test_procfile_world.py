"""Habits of the Procfile world (honcho, foreman, Heroku) that work under `platform` unchanged."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

from tests.e2e.conftest import WEB
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


def test_the_cli_works_from_any_folder_of_the_project(project):
    project.write({"web": f"{WEB} # $PORT"})
    deep = project.root / "src" / "pkg"
    deep.mkdir(parents=True)
    assert "web ready" in project.ok("up", cwd=deep).stdout
    assert project.ok("status", "--json", cwd=deep).stdout.count('"name": "web"') == 1
    # Everything lives beside the Procfile, not in the folder the command ran from.
    assert (project.data / "supervisor" / "supervisord.pid").exists() and not (deep / "data").exists()
    assert "stopped 1 process and supervisord" in project.ok("down", cwd=deep).stdout


def test_service_commands_work_from_an_unrelated_folder_once_logged_in(stack, tmp_path_factory):
    project = stack
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    before = project.run("order", "list", cwd=elsewhere)
    assert before.returncode == 6 and before.stderr.startswith(f"error: no Procfile in {elsewhere} or any folder above it")
    assert "platform login" in before.stderr.splitlines()[1]
    project.ok("signup", "alice@example.com", "--password-stdin", input="alice's password 1\n")
    remembered = project.root / ".user-config" / "platform" / "last-project.json"
    assert remembered.stat().st_mode & 0o777 == 0o600
    made = json.loads(project.ok("order", "create", "--coffee", "latte", "--price", "4000", "--json", cwd=elsewhere).stdout)
    listed = json.loads(project.ok("order", "list", "--json", cwd=elsewhere).stdout)
    assert [o["order_id"] for o in listed["orders"]] == [made["order_id"]]
    # Process commands act on the folder they run in: there is no project here.
    assert project.run("status", cwd=elsewhere).returncode == 6
