"""-f/--procfile and --data-dir end to end: a Procfile elsewhere, runtime files where asked, and
nothing written beside the Procfile or in the working directory."""

from __future__ import annotations

import json

from tests.e2e.conftest import WEB
from tests.helpers import free_port, port_is_listening, wait_until


def test_procfile_and_data_dir_given_on_the_command_line(project, tmp_path):
    app = tmp_path / "elsewhere"
    app.mkdir()
    port = free_port()
    (app / "Procfile").write_text(f"web: {WEB} # $PORT\n")
    (app / "platform.toml").write_text(f"[web]\nport = {port}\n")
    state = tmp_path / "state"
    flags = ("-f", str(app / "Procfile"), "--data-dir", str(state))
    try:
        up = project.ok(*flags, "up")
        assert "web ready" in up.stdout and port_is_listening(port)
        rows = {row["name"]: row for row in json.loads(project.ok(*flags, "status", "--json").stdout)}
        assert rows["web"]["state"] in ("STARTING", "RUNNING") and rows["web"]["port"] == port
        assert rows["web"]["health"]["status"] == "ok"
        assert (state / "supervisor" / "supervisord.pid").exists()
        wait_until(lambda: (state / "logs" / "web.log").exists() and "listening" in (state / "logs" / "web.log").read_text(),
                   what="web's log in the given data dir")
        assert "listening on" in project.ok(*flags, "logs", "web", "-n", "5").stdout
        # Only where it was told: not data/ beside the Procfile, not data/ in the working directory.
        assert not (app / "data").exists() and not (project.root / "data").exists()
        # The data dir is where the daemon is found: without it, the default beside the Procfile is empty.
        without = project.run("-f", str(app / "Procfile"), "status")
        assert without.returncode == 4 and without.stderr.startswith("error: supervisord is not running"), without.stderr
        # No Procfile in the working directory, and none given: the usual config error.
        assert project.run("status").returncode == 6
    finally:
        down = project.run(*flags, "down", timeout=120)
    assert down.returncode == 0 and "stopped 1 process" in down.stdout, down.stdout + down.stderr
    wait_until(lambda: not port_is_listening(port), what="the port released")
