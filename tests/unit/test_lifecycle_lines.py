"""Lifecycle lines: the recorded events as sentences, followed like a log, shown apart from output."""

import io
import json

import pytest

from platform_cli.procman.history import History
from platform_cli.procman.lifecycle import describe_event, lifecycle_lines
from platform_cli.procman.logfiles import make_stamp
from platform_cli.procman.logfollow import Follower
from platform_cli.procman.logtail import with_stamps
from platform_cli.ui.log_view import LogPrinter

NOW = 1_700_000_000.25  # 2023-11-14T22:13:20.250000Z


@pytest.mark.parametrize(
    "event, sentence",
    [
        ({"name": "orders", "from": "RUNNING", "to": "EXITED", "exit": "SIGKILL", "expected": False}, "orders exited (SIGKILL), restarting"),
        ({"name": "orders", "from": "RUNNING", "to": "EXITED", "exit": "1"}, "orders exited (code 1), restarting"),
        ({"name": "migrate", "from": "RUNNING", "to": "EXITED", "exit": "0", "expected": True}, "migrate exited (code 0)"),
        ({"name": "tick", "from": "-", "to": "SCHEDULED", "detail": "run by its schedule (* * * * *)"}, "tick run by its schedule (* * * * *)"),
        ({"name": "orders", "from": "EXITED", "to": "STARTING", "pid": 42}, "orders started (pid 42)"),
        ({"name": "orders", "from": "STARTING", "to": "RUNNING", "pid": 42}, None),
        ({"name": "orders", "from": "STOPPING", "to": "STOPPED", "exit": "SIGTERM"}, "orders stopped"),
        ({"name": "orders", "from": "STOPPING", "to": "STOPPED", "exit": "SIGKILL"}, "orders stopped (SIGKILL: it outlasted its stop_timeout)"),
        ({"name": "orders", "from": "STARTING", "to": "BACKOFF", "exit": "2"}, "orders exited (code 2) while starting, retrying"),
        ({"name": "orders", "from": "BACKOFF", "to": "FATAL"}, "orders kept exiting while starting: given up (FATAL)"),
        ({"name": "orders", "from": "RUNNING", "to": "STOPPING", "pid": 42}, None),
        ({"name": "orders", "from": "RUNNING", "to": "RESTARTING", "pid": 42, "reason": "liveness failed 3\u00d7 \u2192 restarted"},
         "orders liveness failed 3\u00d7 \u2192 restarted (pid 42)"),
        ({"name": "orders", "from": "RUNNING", "to": "RESTARTING", "pid": 42, "reason": "memory 320 MB > 300 MB \u2192 restarted"},
         "orders memory 320 MB > 300 MB \u2192 restarted (pid 42)"),
    ],
)
def test_each_recorded_change_reads_as_honcho_and_pm2_say_it(event, sentence):
    assert describe_event(event) == sentence


def test_only_the_named_processes_and_only_whole_events_become_lines():
    raw = [
        json.dumps({"ts": NOW, "name": "orders", "to": "STARTING", "pid": 7}).encode(),
        json.dumps({"ts": NOW, "name": "tts", "to": "STARTING", "pid": 8}).encode(),
        b'{"ts": 1, "name": "ord',  # the rest of a line cut by rotation
    ]
    assert lifecycle_lines(raw, {"orders"}) == {"orders": [make_stamp(NOW) + b" orders started (pid 7)"]}
    assert set(lifecycle_lines(raw, set())) == {"orders", "tts"}


def test_the_follower_reads_new_events_as_lifecycle_chunks(tmp_path):
    history = History(tmp_path)
    history.dir.mkdir()
    history.record({"ts": NOW - 5, "time": "", "name": "web", "from": "STARTING", "to": "RUNNING", "pid": 1})  # before: not shown
    follower = Follower(tmp_path / "logs", ["web"], events=history.log_path)
    assert follower.poll() == []
    history.record({"ts": NOW, "time": "", "name": "web", "from": "RUNNING", "to": "EXITED", "exit": "SIGKILL"})
    [chunk] = follower.poll()
    assert (chunk.name, chunk.stream) == ("web", "lifecycle")
    assert with_stamps(chunk.lines, chunk.name, chunk.stream)[0].text == b"web exited (SIGKILL), restarting"


def test_lifecycle_lines_stand_under_system_apart_from_output(utc):
    stamp = make_stamp(NOW)
    chunks = lifecycle_lines([json.dumps({"ts": NOW, "name": "web", "to": "STOPPED"}).encode()], set())
    lines = [*with_stamps([stamp + b" hello"], "web", "stdout"), *with_stamps(chunks["web"], "web", "lifecycle")]
    plain = io.BytesIO()
    LogPrinter(plain, ["web"], color=False, lifecycle=True).write(lines)
    assert plain.getvalue() == b"22:13:20 web    | hello\n22:13:20 system | web stopped\n"
    as_json = io.BytesIO()
    LogPrinter(as_json, ["web"], color=False, as_json=True, lifecycle=True).write(lines[1:])
    assert json.loads(as_json.getvalue()) == {"time": stamp.decode(), "process": "web", "stream": "lifecycle", "line": "web stopped"}
    coloured = io.BytesIO()
    LogPrinter(coloured, ["web"], color=True, lifecycle=True).write(lines[1:])
    assert coloured.getvalue() == b"\033[0m\033[1m22:13:20 system | \033[0mweb stopped\n"
