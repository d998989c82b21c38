"""platform logs: merged, marked, followed across restarts and rotation, complete under bursts."""

from __future__ import annotations

import json
import re

from tests.e2e.conftest import WRITER


def numbers(lines: list[str], tag: str) -> dict[str, list[int]]:
    """pid -> the numbers of `tag`'s lines, in the order they were shown."""
    found: dict[str, list[int]] = {}
    for line in lines:
        parts = json.loads(line)["line"].split() if line.startswith("{") else line.split("| ", 1)[-1].split()
        if len(parts) == 3 and parts[0] == tag:
            found.setdefault(parts[1], []).append(int(parts[2]))
    return found


def test_logs_merge_processes_in_time_order_with_aligned_marked_prefixes(project):
    project.write(
        {"alpha": f"env INTERVAL=0.2 COUNT=5 TAG=a {WRITER}", "b": f"env INTERVAL=0.2 COUNT=5 TAG=b START_DELAY=0.1 STREAM=stderr {WRITER}"}
    )
    project.ok("up")
    project.wait_until_lines(10)
    out = project.ok("logs", "-n", "10").stdout.splitlines()
    assert [line.split()[-3] for line in out] == ["a", "b"] * 5, out
    assert [int(line.split()[-1]) for line in out] == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]
    for line in out:
        assert re.fullmatch(r"\d\d:\d\d:\d\d (alpha \| a|b     ! b) \d+ \d", line), line  # honcho's look, aligned
    assert "\x1b[" not in project.ok("logs").stdout  # no colour without a terminal
    only_err = project.ok("logs", "--err", "-n", "3").stdout.splitlines()
    assert len(only_err) == 3 and all(" ! b " in line for line in only_err)
    assert [json.loads(l)["stream"] for l in project.ok("logs", "alpha", "--json", "-n", "2").stdout.splitlines()] == ["stdout"] * 2
    assert project.ok("logs", "--since", "1h", "-n", "100").stdout.count("\n") == 10


def test_logs_follow_survives_rotation_and_restart(project):
    # 300 lines of ~60 bytes with their stamps: ~18 KB through 1 KB files, rotated about 18 times.
    project.write({"w": f"env INTERVAL=0.004 COUNT=300 START_DELAY=1 {WRITER}"},
                  env="PLATFORM_LOG_MAX_BYTES=1024\nPLATFORM_LOG_BACKUPS=2\n")
    # Following from before the process exists: its log files are picked up when they appear.
    follow = project.spawn("logs", "-f", "-n", "0", "--json", "w")
    project.ok("up")
    first = follow.wait_for(lambda lines: (found := numbers(lines, "w")) and len(next(iter(found.values()))) == 300 and found,
                            what="the first run's 300 lines")
    [(pid, seen)] = first.items()
    assert seen == list(range(300)), "every line, in order, across rotations"
    assert (project.data / "logs" / "w.log.1").exists()
    project.ok("restart", "w")
    both = follow.wait_for(lambda lines: len(found := numbers(lines, "w")) == 2 and all(len(v) == 300 for v in found.values()) and found,
                           what="the restarted process's lines too")
    assert all(v == list(range(300)) for v in both.values())
    assert follow.stop() == 130
    assert "Traceback" not in follow.proc.stderr.read()


def test_a_burst_of_100000_lines_arrives_complete_and_in_order(project):
    project.write({"burst": f"env COUNT=100000 START_DELAY=1.5 {WRITER}"})
    follow = project.spawn("logs", "-f", "-n", "0", "--json", "burst")
    project.ok("up")
    got = follow.wait_for(lambda lines: (found := numbers(lines, "burst")) and len(next(iter(found.values()))) >= 100000 and found,
                          timeout=120, what="100,000 lines through logs -f")
    assert list(got.values())[0] == list(range(100000))
    follow.stop()
    from_files = numbers(project.ok("logs", "burst", "-n", "200000").stdout.splitlines(), "burst")
    assert list(from_files.values())[0] == list(range(100000))


def test_partial_lines_and_invalid_utf8_are_shown(project):
    project.write({"odd": f"env COUNT=1 EXTRA=nonutf8 {WRITER}", "half": f"env COUNT=1 EXTRA=partial {WRITER}"})
    follow = project.spawn("logs", "-f", "--json", "odd", "half")
    project.ok("up")
    follow.wait_for(lambda lines: any("no newline yet" in l for l in lines) and any("bad bytes" in l for l in lines),
                    what="the partial line and the bad bytes")
    bad = [json.loads(l) for l in follow.lines if "bad bytes" in l][0]
    assert bad["line"] == "bad bytes \\xff\\xfe here"
    assert "no newline yet" in project.ok("logs", "half").stdout
    follow.stop()


def test_logs_of_an_unknown_process_is_an_error(project):
    project.write({"w": WRITER})
    result = project.run("logs", "nope")
    assert result.returncode == 7 and result.stderr.startswith("error: unknown process: nope")
    bad = project.run("logs", "--since", "yesterday")
    assert bad.returncode == 2 and "not a duration" in bad.stderr


def test_logs_follow_shows_exit_and_start_of_a_killed_process_as_lifecycle_lines(project):
    from tests.e2e.conftest import WEB, kill

    project.write({"web": f"{WEB} # $PORT"})
    project.ok("up")
    old = project.wait_running("web")["web"]["pid"]
    follow = project.spawn("logs", "-f", "-n", "1", "--json")
    # The follower marks its start before the last line is read: once that line is out, it follows.
    follow.wait_for(lambda lines: len(lines) >= 1, what="logs -f following")
    kill(old)
    new = project.wait_running("web")["web"]["pid"]
    lifecycle = lambda lines: [r for r in map(json.loads, lines) if r["stream"] == "lifecycle"]  # noqa: E731
    # (The first start may be recorded only now: the listener takes events once it is up itself.)
    since_kill = lambda lines: [r["line"] for r in lifecycle(lines) if r["line"] != f"web started (pid {old})"]  # noqa: E731
    got = follow.wait_for(lambda lines: len(since_kill(lines)) >= 2 and since_kill(lines), what="exited and started lines")
    assert got == ["web exited (SIGKILL), restarting", f"web started (pid {new})"]
    assert all(r["time"].endswith("Z") and r["process"] == "web" for r in lifecycle(follow.lines))
    project.ok("stop", "web")
    follow.wait_for(lambda lines: since_kill(lines)[2:] == ["web stopped"], what="the stopped line")
    assert follow.stop() == 130
