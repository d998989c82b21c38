"""Issue 12's small ones: start ends a backoff at once, a missing command is told the same way every
time, two process names that would share one environment variable are a config error; and the
daemon's start: its failure says why, a lost one of the same data dir is found and stopped."""

from __future__ import annotations

import time
from pathlib import Path

from platform_cli.errors import ExitCode
from platform_cli.procman.daemon import find_daemons
from platform_cli.procman.pids import alive
from tests.helpers import wait_until


def test_start_after_fixing_a_crash_looping_process_starts_it_at_once(project, tmp_path):
    flag = tmp_path / "fixed"
    project.write({"crashy": f"test -f {flag} && exec sleep 1000; exit 1"}, {"crashy": {"retries": 50, "start_timeout": 2}})
    assert project.run("up").returncode == ExitCode.NOT_READY
    # Backoffs of 1, 2, 4 s are behind it: the next wait is 8 s (PLATFORM_BACKOFF_CAP in the fixture).
    project.wait_events("crashy", lambda events: sum(e["to"] == "BACKOFF" for e in events) >= 4, timeout=20)
    flag.touch()
    began = time.monotonic()
    project.ok("start", "crashy")
    assert time.monotonic() - began < 4, "start waited out the backoff"
    assert project.status()["crashy"]["state"] == "RUNNING"


def test_a_command_that_does_not_exist_is_reported_as_not_found_every_time(project):
    project.write({"bad": "no-such-command-xyz --flag"})
    for _ in range(5):
        began = time.monotonic()
        result = project.run("up")
        assert result.returncode == ExitCode.NOT_READY, result.stderr
        lines = result.stderr.splitlines()
        assert lines[0] == "error: bad: not found: no-such-command-xyz", result.stderr
        assert lines[2].startswith("last ") and "no-such-command-xyz: not found" in lines[3], result.stderr
        assert time.monotonic() - began < 10
        project.ok("down")


def test_two_names_that_map_to_one_variable_are_a_config_error_naming_both(project):
    project.write({"a-b": "python -m http.server $PORT", "a_b": "python -m http.server $PORT"})
    result = project.run("up")
    assert result.returncode == ExitCode.CONFIG, result.stderr
    assert result.stderr.startswith("error: processes a-b and a_b would both be A_B_PORT and A_B_URL"), result.stderr


def test_supervisord_failing_to_start_says_why(project):
    project.write({"sleeper": "sleep 1000"})
    conf = (Path(__file__).parents[2] / "platform_cli" / "procman" / "supervisord.conf").read_text()
    (project.root / "supervisord.conf").write_text(conf.replace("loglevel=info", "loglevel=chatty"))
    result = project.run("up")
    assert result.returncode == ExitCode.FAILURE
    assert result.stderr.splitlines()[0] == "error: supervisord did not start (exit 2): bad logging level name 'chatty'", result.stderr


def test_up_stops_a_supervisord_of_the_data_dir_that_lost_its_socket_and_pid_file(project):
    project.write({"sleeper": "sleep 1000"})
    project.ok("up")
    lost = project.supervisord_pid()
    # What a second, racing supervisord used to leave: its socket and pid file took the first's.
    (project.data / "supervisor" / "supervisord.sock").unlink()
    (project.data / "supervisor" / "supervisord.pid").unlink()
    out = project.ok("up").stdout  # the event listener may be among the orphans, or have gone by itself
    assert "supervisord had died without cleaning up: stopped " in out and "sleeper (pid " in out, out
    wait_until(lambda: not alive(lost), 5, what="the lost supervisord gone")
    assert find_daemons(project.data) == [project.supervisord_pid()]
