"""exec and log probes (procman/health.py): parsing, a command's exit status, a stamped log read
from the current start only."""

from __future__ import annotations

import pytest

from platform_cli.procman.health import ProbeContext, ProbeSpec, check, parse_probe
from platform_cli.procman.logfiles import make_stamp


def test_exec_and_log_probes_parse_with_their_argument():
    assert parse_probe("exec:./check.sh --quick") == ProbeSpec("exec", "./check.sh --quick")
    assert parse_probe("log:Listening on :\\d+") == ProbeSpec("log", "Listening on :\\d+")


@pytest.mark.parametrize("text, message", [("exec:", "needs a command"), ("log: ", "needs a pattern"), ("log:(", "not a regular expression")])
def test_bad_exec_and_log_probes_are_refused(text, message):
    with pytest.raises(ValueError, match=message):
        parse_probe(text)


def test_an_exec_probe_runs_in_the_project_folder_with_port_and_reports_its_last_line(tmp_path):
    context = ProbeContext("web", tmp_path, tmp_path / "logs", port=5123)
    (tmp_path / "marker").touch()
    assert check(ProbeSpec("exec", 'test -f marker && test "$PORT" = 5123'), None, 2, context=context).ok is True
    failed = check(ProbeSpec("exec", "echo first; echo 'not ready'; exit 4"), None, 2, context=context)
    assert (failed.ok, failed.detail) == (False, "exit 4: not ready")


def test_an_exec_probe_that_hangs_is_ended_at_its_timeout(tmp_path):
    context = ProbeContext("web", tmp_path, tmp_path / "logs")
    result = check(ProbeSpec("exec", "sleep 30 & wait"), None, 0.3, context=context)
    assert (result.ok, result.detail) == (False, "timed out")


def test_a_log_probe_reads_both_streams_from_the_current_start_only(tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "web.log").write_bytes(make_stamp(100.0) + b" Listening on 5000\n" + make_stamp(200.0) + b" booting\n")
    context = ProbeContext("web", tmp_path, logs, since=150.0)
    probe = ProbeSpec("log", "^Listening on")
    assert check(probe, None, context=context).detail == "no matching line yet"  # the line is of the run before
    (logs / "web.err.log").write_bytes(make_stamp(201.0) + b" Listening on 5000\n")
    assert check(probe, None, context=context).ok is True


def test_without_a_context_exec_and_log_probes_fail_saying_so(tmp_path):
    assert check(ProbeSpec("exec", "true"), None).detail == "exec probe without a context"


def test_an_exec_probe_fails_even_when_another_thread_reaps_its_child(tmp_path):
    """Inside supervisord the watchdog is a thread, and supervisord's SIGCHLD handler reaps every
    child with waitpid(-1): subprocess then reads the probe's exit as 0. A reaper thread here does
    what supervisord does; a failing command must still fail, a passing one pass."""
    import os
    import threading

    from platform_cli.procman.health import ProbeContext, ProbeSpec, _exec

    stop = threading.Event()

    def reap_everything():
        while not stop.is_set():
            try:
                os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                stop.wait(0.0002)

    reaper = threading.Thread(target=reap_everything, daemon=True)
    reaper.start()
    try:
        context = ProbeContext("worker", tmp_path, tmp_path)
        failing = [_exec(ProbeSpec("exec", "echo nope; exit 3"), context, 5) for _ in range(20)]
        passing = [_exec(ProbeSpec("exec", "true # a comment"), context, 5) for _ in range(5)]
    finally:
        stop.set()
        reaper.join()
    assert failing == ["exit 3: nope"] * 20
    assert passing == [None] * 5
