"""The dashboard's process list (what /api/processes and the SSE feed send) follows `platform scale`
while the dashboard runs: real supervisord, the real CLI beside it, no browser needed."""

from __future__ import annotations

from platform_cli.dashboard import create_app
from platform_cli.dashboard.feed import SNAPSHOT_TTL_S, process_rows
from platform_cli.workspace import Workspace
from tests.e2e.conftest import WEB
from tests.helpers import wait_until


def test_the_process_list_shows_an_instance_scale_adds_with_its_port_and_drops_one_it_removes(project):
    project.write({"api": f"{WEB} # $PORT"}, {"api": {"probe": "http:/health"}})
    project.ok("up")
    # Wired as `python -m platform_cli.dashboard` wires it (its __main__), before the scale.
    ws = Workspace(procfile=project.root / "Procfile", data_dir=project.data)
    app = create_app({"PROJECT": ws.live_project(), "SOCKET": ws.daemon.socket_path, "DATA_DIR": ws.settings.data_dir})

    def listed() -> dict[str, dict]:
        return {row["name"]: row for row in process_rows(app)}

    assert list(listed()) == ["api"]
    project.ok("scale", "api=2")
    # With its port and its probe's result: known as a process of the project, not only as a program.
    row = wait_until(lambda: (r := listed().get("api.2")) and r["healthy"] and r, timeout=5 + SNAPSHOT_TTL_S, what="api.2 listed, healthy")
    assert row["port"] == project.ports["api"] + 1 and row["health"]["status"] == "ok", row
    project.ok("scale", "api=1")
    wait_until(lambda: list(listed()) == ["api"], timeout=5 + SNAPSHOT_TTL_S, what="api.2 gone from the process list")
