"""up / status / start / stop / restart / down against a real supervisord and real processes."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

from platform_cli.procman.pids import alive
from tests.e2e.conftest import WEB, kill
from tests.helpers import port_is_listening, wait_until

TWO = {"redis": "python -m services.redis", "web": f"{WEB}"}
TWO_OPTIONS = {"redis": {"probe": "redis"}, "web": {"depends_on": ["redis"]}}


def _with_redis(project, extra=None, extra_options=None):
    # services.redis is the repo's own launcher, importable because the repo is on sys.path.
    processes = {**TWO, **(extra or {})}
    processes["web"] = f"{WEB} # $PORT"
    project.write(processes, {**TWO_OPTIONS, **(extra_options or {})})


def test_up_starts_everything_and_status_json_reports_ready(project):
    _with_redis(project)
    result = project.ok("up")
    assert "redis ready" in result.stdout and "web ready" in result.stdout
    rows = project.status()
    assert set(rows) == {"redis", "web"}
    for name, row in rows.items():
        assert row["state"] in ("STARTING", "RUNNING")
        assert row["pid"] and alive(row["pid"])
        assert row["port"] == project.ports[name]
        assert row["health"]["status"] == "ok" and row["health"]["latency_ms"] is not None
        assert row["restarts"] == 0
        assert isinstance(row["uptime_s"], (int, float)) and 0 <= row["uptime_s"] < 120, row
        assert row["last_exit"] is None, row
        # Sampled every 5 s (values checked in test_resources.py): absent so soon after up, or plausible.
        assert row["cpu_percent"] is None or 0 <= row["cpu_percent"] <= 200, row
        assert row["memory_bytes"] is None or 1024 * 1024 < row["memory_bytes"] < 1024 ** 3, row
    # Every process is told where the others are, and its own port.
    environ = dict(
        item.split(b"=", 1) for item in Path(f"/proc/{rows['web']['pid']}/environ").read_bytes().split(b"\0") if b"=" in item
    )
    assert environ[b"REDIS_URL"] == f"redis://127.0.0.1:{project.ports['redis']}".encode()
    assert environ[b"PORT"] == str(project.ports["web"]).encode()
    assert environ[b"PYTHONUNBUFFERED"] == b"1"
    wait_until(lambda: project.run("status").returncode == 0, what="status exit 0 once all are RUNNING")


def test_second_up_starts_nothing_twice(project):
    _with_redis(project)
    project.ok("up")
    before = {n: r["pid"] for n, r in project.status().items()}
    result = project.ok("up")
    assert "already running" in result.stdout
    assert {n: r["pid"] for n, r in project.status().items()} == before


def test_up_with_names_starts_them_and_their_dependencies_only(project):
    project.write(
        {"redis": "python -m services.redis", "web": f"{WEB} # $PORT", "other": f"{WEB} # $PORT"},
        {"redis": {"probe": "redis"}, "web": {"depends_on": ["redis"]}},
    )
    project.ok("up", "web")
    rows = project.status()
    assert rows["redis"]["pid"] and rows["web"]["pid"]
    assert rows["other"]["pid"] is None and rows["other"]["state"] == "STOPPED"


def test_sigkill_brings_the_process_back_ready_with_one_restart(project):
    _with_redis(project)
    project.ok("up")
    old = project.wait_running("web")["web"]["pid"]
    kill(old)
    row = wait_until(
        lambda: (r := project.status()["web"])["pid"] not in (None, old) and r["health"]["status"] == "ok" and r,
        timeout=10, what="web back with a new pid",
    )
    assert row["restarts"] == 1
    events = project.wait_events("web", lambda found: any(e["to"] == "EXITED" for e in found))
    exits = [e for e in events if e["to"] == "EXITED"]
    assert exits[-1]["exit"] == "SIGKILL" and exits[-1]["pid"] == old and exits[-1]["expected"] is False
    wait_until(lambda: project.status()["web"]["last_exit"], what="last exit recorded")
    assert project.status()["web"]["last_exit"]["exit"] == "SIGKILL"


def test_restart_changes_pid_and_waits_for_ready(project):
    project.write({"web": f"{WEB} # $PORT"})
    project.ok("up")
    old = project.status()["web"]["pid"]
    project.ok("restart", "web")
    row = project.status()["web"]
    assert row["pid"] != old and not alive(old)
    assert row["health"]["status"] == "ok"


def test_stop_and_start_by_name(project):
    project.write({"a": f"{WEB} # $PORT", "b": f"{WEB} # $PORT"})
    project.ok("up")
    project.ok("stop", "a")
    rows = project.status()
    assert rows["a"]["state"] == "STOPPED" and rows["a"]["pid"] is None
    assert rows["b"]["state"] in ("STARTING", "RUNNING")
    project.ok("start", "a")
    assert project.status()["a"]["health"]["status"] == "ok"
    project.ok("stop", "--all")
    assert all(r["state"] == "STOPPED" for r in project.status().values())


def test_status_exits_3_when_a_program_is_stopped(project):
    project.write({"a": f"{WEB} # $PORT", "b": f"{WEB} # $PORT"})
    project.ok("up")
    wait_until(lambda: project.run("status").returncode == 0, what="all RUNNING")
    project.ok("stop", "b")
    result = project.run("status")
    assert result.returncode == 3
    assert project.run("status", "a").returncode == 0


def test_depends_on_starts_the_dependent_only_after_its_dependency_is_ready(project, tmp_path):
    check = tmp_path / "check.txt"
    project.write(
        {"slow": f"{WEB} # $PORT", "app": f"{WEB} # $PORT"},
        {"app": {"depends_on": ["slow"]}},
        # READY_AFTER applies to both; only `slow` is probed before `app` starts.
        env=f"READY_AFTER=1.5\nCHECK_FILE={check}\n",
    )
    # app checks slow's /health the moment it starts, through the address platform gives it.
    (project.root / "Procfile").write_text(
        f"slow: {WEB} # $PORT\napp: env CHECK_URL=$SLOW_URL/health {WEB} # $PORT\n"
    )
    result = project.ok("up")
    assert check.read_text() == "200", result.stdout
    assert result.stdout.index("slow ready") < result.stdout.index("starting app")


def test_down_leaves_nothing_alive_or_listening(project):
    _with_redis(project)
    project.ok("up")
    pids = [r["pid"] for r in project.status().values()]
    daemon = project.supervisord_pid()
    result = project.ok("down")
    assert "stopped 2 processes and supervisord" in result.stdout
    assert not any(alive(p) for p in pids + [daemon])
    assert not any(port_is_listening(p) for p in project.ports.values())
    assert not (project.data / "supervisor" / "supervisord.sock").exists()
    assert project.ok("down").stdout.strip() == "platform is not running"


def test_up_recovers_after_supervisord_is_sigkilled(project):
    _with_redis(project)
    project.ok("up")
    orphans = {n: r["pid"] for n, r in project.status().items()}
    kill(project.supervisord_pid())
    wait_until(lambda: project.run("status").returncode == 4, what="status to see the daemon gone")
    assert all(alive(p) for p in orphans.values()), "the children outlive a SIGKILLed supervisord"
    result = project.ok("up")
    assert "supervisord had died" in result.stdout and "orphaned" in result.stdout
    assert not any(alive(p) for p in orphans.values())
    rows = project.status()
    assert all(r["health"]["status"] == "ok" and r["pid"] not in orphans.values() for r in rows.values())


def test_down_after_supervisord_is_sigkilled_stops_the_orphans(project):
    project.write({"web": f"{WEB} # $PORT"})
    project.ok("up")
    orphan = project.status()["web"]["pid"]
    kill(project.supervisord_pid())
    result = project.ok("down")
    assert "orphaned" in result.stdout
    assert not alive(orphan) and not port_is_listening(project.ports["web"])


def test_port_already_in_use_is_one_clear_error(project):
    project.write({"web": f"{WEB} # $PORT"})
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", project.ports["web"]))
        squatter.listen()
        result = project.run("up")
    assert result.returncode == 8
    assert result.stderr.startswith(f"error: port {project.ports['web']} for web is already in use")
    assert "Traceback" not in result.stderr


def test_up_restarts_only_what_changed_and_removes_what_left_the_procfile(project):
    project.write({"a": f"{WEB} # $PORT", "b": f"{WEB} # $PORT", "c": f"{WEB} # $PORT"}, env="GREETING=hello\n")
    project.ok("up")
    before = {n: r["pid"] for n, r in project.status().items()}
    procfile = (project.root / "Procfile").read_text().splitlines()
    # b's command changes; c leaves the Procfile; a stays as it is.
    (project.root / "Procfile").write_text("\n".join([procfile[0], procfile[1] + " --changed", ""]))
    (project.root / "platform.toml").write_text(
        "\n".join(t for t in (project.root / "platform.toml").read_text().split("\n\n") if not t.startswith("[c]"))
    )
    result = project.ok("up")
    assert "b: command changed, restarting" in result.stdout and "removed c" in result.stdout
    after = project.status()
    assert after["a"]["pid"] == before["a"] and after["b"]["pid"] != before["b"]
    assert "c" not in after and not alive(before["c"])


def test_stop_waits_out_a_long_stop_timeout(project, tmp_path):
    # Ignores SIGTERM: supervisord sends SIGKILL after stop_timeout, longer than a plain RPC waits.
    stubborn = tmp_path / "stubborn.py"
    stubborn.write_text("import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nprint('up', flush=True)\ntime.sleep(600)\n")
    project.write({"stubborn": f"{sys.executable} {stubborn}"}, {"stubborn": {"stop_timeout": 11}})
    project.ok("up")
    project.wait_running("stubborn")
    pid = project.status()["stubborn"]["pid"]
    assert project.ok("stop", "stubborn").stdout.strip() == "stopped stubborn"
    assert not alive(pid)


def test_down_works_with_a_broken_procfile(project):
    project.write({"web": f"{WEB} # $PORT"})
    project.ok("up")
    pid = project.status()["web"]["pid"]
    (project.root / "Procfile").write_text("this is not a procfile line\n")
    assert "stopped 1 process and supervisord" in project.ok("down").stdout
    assert not alive(pid)
