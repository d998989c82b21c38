"""`up` with no supervisord running: the services that depend on nothing are spawned by
supervisord as it boots (daemon_entry, change 11), the rest as before, and nothing shows it."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import WEB


def _environ(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(item.decode(errors="replace").split("=", 1) for item in raw if b"=" in item)


def test_boot_spawned_services_are_started_by_up_and_keep_a_clean_environment(project):
    project.write({"db": f"{WEB} # $PORT", "web": f"{WEB} # $PORT", "off": "sleep 60"},
                  {"db": {"probe": "http"}, "web": {"probe": "http", "depends_on": ["db"]}, "off": {"enabled": False}})
    out = project.ok("up").stdout
    for name in ("db", "web"):  # started by this up, not found running
        assert f"starting {name}" in out and f"{name} ready in" in out, out
    assert "already running" not in out, out
    assert out.index("db ready") < out.index("starting web"), out  # the dependent still waits
    rows = project.status()
    assert rows["off"]["state"] == "STOPPED", rows  # enabled = false: not booted
    assert "PLATFORM_BOOT_START" not in _environ(rows["db"]["pid"])
    # Started at boot, yet a later `up` sees the same programs: nothing restarts.
    again = project.ok("up").stdout
    assert "db already running" in again and "restarting" not in again, again
    assert project.status("db")["db"]["pid"] == rows["db"]["pid"]


def test_a_boot_service_stopped_by_hand_stays_stopped_through_the_next_up_of_another(project):
    project.write({"db": f"{WEB} # $PORT", "other": f"{WEB} # $PORT"}, {"db": {"probe": "http"}, "other": {"probe": "http"}})
    project.ok("up")
    project.ok("stop", "db")
    project.ok("up", "other")  # sections loaded again: db's autostart stays off
    assert project.status("db")["db"]["state"] == "STOPPED"
