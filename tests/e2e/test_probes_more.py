"""Readiness by a command's exit status and by a line in the log (issue 20 point 3), real processes."""

from __future__ import annotations

import sys
import time

from tests.helpers import wait_until

PY = sys.executable
# Prints its banner after a second; before that, nothing.
SLOW_BANNER = f"{PY} -u -c \"import time; time.sleep(1); print('Listening on 127.0.0.1', flush=True); time.sleep(600)\""


def test_a_log_probe_waits_for_the_line_and_only_lines_of_this_run_count(project):
    project.write({"server": SLOW_BANNER, "client": f"{PY} -c \"import time; time.sleep(600)\""},
                  {"server": {"probe": "log:^Listening on"}, "client": {"depends_on": ["server"]}})
    result = project.ok("up")
    events = project.events()
    server_running = next(e for e in events if e["name"] == "server" and e["to"] == "STARTING")
    client_start = next(e for e in events if e["name"] == "client" and e["to"] == "STARTING")
    assert client_start["ts"] - server_running["ts"] >= 1.0, result.stdout  # not before the banner
    row = project.wait_healthy("server")
    assert row["health"]["status"] == "ok"
    # A restart: the old run's banner is in the log, yet the new run is not ready until it prints its own.
    began = time.monotonic()
    project.ok("restart", "server")
    assert time.monotonic() - began >= 1.0  # waited for the new banner, a second after the new start
    assert len([e for e in project.events("server") if e["to"] == "STARTING"]) == 2


def test_an_exec_probe_is_ready_when_the_command_exits_0_and_fails_up_with_its_output(project):
    (project.root / "check.sh").write_text("#!/bin/sh\ntest -f ready-flag || { echo \"no flag on $PORT\"; exit 1; }\n")
    (project.root / "check.sh").chmod(0o755)
    flagger = f"{PY} -c \"import time, pathlib; time.sleep(1); pathlib.Path('ready-flag').touch(); time.sleep(600)\""
    project.write({"worker": flagger}, {"worker": {"probe": "exec:./check.sh", "port": 5999}})
    project.ok("up")
    assert (project.root / "ready-flag").exists()
    assert project.wait_healthy("worker")["health"]["status"] == "ok"


def test_a_failing_exec_probe_names_its_output_when_up_gives_up(project):
    project.write({"worker": f"{PY} -c \"import time; time.sleep(600)\""},
                  {"worker": {"probe": "exec:echo not yet; exit 3", "start_timeout": 1}})
    result = project.run("up")
    assert result.returncode == 5
    assert "was not ready within 1s (`echo not yet; exit 3` exits 0: exit 3: not yet)" in result.stderr.splitlines()[0]


def test_the_watchdog_probes_with_exec_and_marks_the_process_failing(project):
    (project.root / "ok").touch()
    project.write({"worker": f"{PY} -c \"import time; time.sleep(600)\""},
                  {"worker": {"probe": "exec:test -f ok", "probe_interval": 0.2, "liveness": False}})
    project.ok("up")
    (project.root / "ok").unlink()
    wait_until(lambda: project.status()["worker"]["health"]["status"] == "failing", 10, what="worker failing")
    assert project.status()["worker"]["health"]["detail"] == "exit 1"


def test_a_port_command_without_a_probe_is_up_once_it_answers_http_even_a_404(project):
    """`python -m http.server $PORT` answers /health with a 404: it listens, so it is up (as under
    honcho or PM2). A small start_timeout: were the 404 a failure, `up` would exit 5 after it, and
    the watchdog (liveness_threshold 1) would restart it at its first probe."""
    from platform_cli.procman.samples import read_samples

    project.write({"web": f"{PY} -m http.server $PORT --bind 127.0.0.1"},
                  {"web": {"start_timeout": 3, "probe_interval": 0.5, "probe_timeout": 0.5, "liveness_threshold": 1}})
    assert "probe =" not in (project.root / "platform.toml").read_text()
    project.ok("up")
    pid = project.status()["web"]["pid"]
    seen = []

    def watched_for_2_seconds():
        sample = read_samples(project.data).get("web") or {}
        seen.append((sample.get("pid"), (sample.get("health") or {}).get("status")))
        if sample.get("pid") != pid or not sample.get("probed_at"):
            return False
        first.setdefault("at", sample["probed_at"])
        return sample["probed_at"] - first["at"] >= 2.0

    first: dict = {}
    wait_until(watched_for_2_seconds, timeout=15, what="the watchdog's probes of web over 2 s")
    assert {status for p, status in seen if p == pid} == {"ok"}, seen
    assert project.status()["web"]["restarts"] == 0
    # A probe written in platform.toml keeps wanting 2xx/3xx: the same 404 is not ready.
    project.write({"web": f"{PY} -m http.server $PORT --bind 127.0.0.1"},
                  {"web": {"probe": "http:/health", "start_timeout": 2, "port": project.ports["web"]}})
    project.ok("down")
    failed = project.run("up")
    assert failed.returncode == 5 and "HTTP 404" in failed.stdout + failed.stderr, failed.stdout + failed.stderr
