"""The daemon's watchdog against real processes: a hung process is restarted, a leaking one too,
a failing one with liveness off is only shown unhealthy; `status` reads the daemon's samples."""

from __future__ import annotations

import json
import os
import signal
import time

import pytest

from platform_cli.procman.samples import read_samples
from tests.e2e.conftest import WEB
from tests.helpers import wait_until

FAST = {"probe": "http:/health", "probe_interval": 0.5, "probe_timeout": 0.5, "liveness_threshold": 3}


def restart_events(project, name):
    return [e for e in project.events(name) if e["to"] == "RESTARTING"]


def wait_watched(project, name) -> dict:
    """Until the daemon's watchdog has seen `name` pass its probe: liveness counts from then on
    (before that, a process is still starting, which start_timeout bounds)."""
    row = project.wait_healthy(name)
    wait_until(lambda: (s := read_samples(project.data).get(name)) and s["pid"] == row["pid"] and s["health"]["status"] == "ok",
               timeout=10, what=f"the watchdog's first probe of {name}")
    return row


def test_a_sigstopped_service_is_restarted_and_healthy_within_the_bound_and_recorded(project):
    project.write({"web": f"{WEB} # $PORT"}, {"web": FAST})
    project.ok("up")
    before = wait_watched(project, "web")
    follow = project.spawn("logs", "-f", "-n", "1", "--json", "web")
    # The follower marks its start before the last line is read: once that line is out, it follows.
    follow.wait_for(lambda lines: len(lines) >= 1, what="logs -f following")
    stopped_at = time.monotonic()
    os.kill(before["pid"], signal.SIGSTOP)
    # interval 0.5 s x 3 failures (each waits out its 0.5 s timeout), then TERM+CONT, then a start of ~1 s.
    bound = 0.5 * 3 + 0.5 + 1.0 + 3.0
    after = wait_until(lambda: (row := project.status()["web"])["pid"] not in (None, before["pid"]) and row["state"] == "RUNNING"
                       and row["health"]["status"] == "ok" and row, timeout=bound + 5, what="web restarted and healthy")
    took = time.monotonic() - stopped_at
    assert took < bound, f"restarted and healthy after {took:.1f}s, bound {bound:.1f}s"
    [restart] = restart_events(project, "web")
    assert restart["reason"] == "liveness failed 3\u00d7 \u2192 restarted" and restart["pid"] == before["pid"]
    assert after["restarts"] == 1 and after["last_restart"]["reason"] == restart["reason"]
    # At 80 columns (no terminal) the last-exit column takes its short form: what failed, no time.
    assert "liveness failed 3\u00d7" in project.ok("status").stdout
    assert "liveness failed 3\u00d7 \u2192 restarted" in project.ok("events", "web").stdout
    # A lifecycle line in logs -f (from the same record), never a line of the process's own stderr.
    sentence = f"web liveness failed 3\u00d7 \u2192 restarted (pid {before['pid']})"
    [line] = follow.wait_for(lambda lines: [r for r in map(json.loads, lines) if r["line"] == sentence] or None,
                             what="the watchdog's lifecycle line")
    assert line["stream"] == "lifecycle" and line["process"] == "web"
    assert follow.stop() == 130
    assert "platform:" not in project.ok("logs", "web", "--err").stdout


def test_a_deadlocked_service_that_ignores_sigterm_is_killed_after_its_stop_timeout_and_restarted(project):
    # Settings in .env, not `VAR=1 cmd`: then the program itself, not a shell, is the process supervisord watches.
    project.write({"web": f"{WEB} # $PORT"}, {"web": {**FAST, "stop_timeout": 1}}, env="HANG_AFTER=4\nIGNORE_TERM=1\n")
    project.ok("up")
    before = wait_watched(project, "web")
    # Hangs 4 s after its start; then 3 failed probes, TERM (ignored), KILL 1 s later, a new start.
    after = wait_until(lambda: (row := project.status()["web"])["pid"] not in (None, before["pid"]) and row, timeout=15,
                       what="web restarted")
    assert after["last_exit"]["exit"] == "SIGKILL"
    assert [e["reason"] for e in restart_events(project, "web")] == ["liveness failed 3\u00d7 \u2192 restarted"]


def test_a_process_whose_group_leaks_past_max_memory_is_restarted(project):
    # The leak is in a forked child: the limit counts the whole process group.
    project.write({"leaky": f"LEAK_MB=150 {WEB} # $PORT"}, {"leaky": {**FAST, "max_memory": "60MB"}})
    project.ok("up")
    first = wait_watched(project, "leaky")
    project.wait_events("leaky", lambda found: any(e["to"] == "RESTARTING" for e in found), timeout=20)
    restart = restart_events(project, "leaky")[0]
    assert restart["pid"] == first["pid"]
    assert restart["reason"].startswith("memory ") and restart["reason"].endswith(" > 60 MB \u2192 restarted")
    assert int(restart["reason"].split()[1]) > 60
    wait_until(lambda: project.status()["leaky"]["pid"] not in (None, first["pid"]), timeout=10, what="leaky restarted")


@pytest.mark.parametrize("liveness", [False, "http:/live"], ids=["liveness-off", "own-liveness-probe-passing"])
def test_a_failing_probe_with_liveness_off_stays_up_unhealthy_and_status_exits_3(project, liveness):
    project.write({"web": f"FAIL_AFTER=2 {WEB} # $PORT"}, {"web": {**FAST, "liveness": liveness}})
    project.ok("up")
    pid = wait_watched(project, "web")["pid"]
    row = wait_until(lambda: (r := project.status()["web"])["health"]["status"] == "failing" and r, timeout=10, what="web failing")
    assert row["health"]["detail"] == "HTTP 503" and row["health"]["age_s"] is not None
    # Twice liveness_threshold failures in a row: with liveness on, it would have been restarted by now.
    wait_until(lambda: (s := read_samples(project.data).get("web")) and s["pid"] == pid and s["failures"] >= 6, timeout=10,
               what="6 failed probes in a row")
    result = project.run("status", "--json")
    assert result.returncode == 3
    [row] = json.loads(result.stdout)
    assert row["pid"] == pid and row["state"] == "RUNNING" and row["restarts"] == 0 and row["health"]["status"] == "failing"
    assert restart_events(project, "web") == []


def test_status_shows_the_daemons_samples_with_their_age_and_probe_forces_fresh_ones(project):
    project.write({"web": f"{WEB} # $PORT"}, {"web": {"probe": "http:/health", "probe_interval": 30}})
    project.ok("up")
    wait_until(lambda: (project.data / "supervisor" / "samples.json").exists(), what="samples.json")
    sampled = wait_until(lambda: (r := project.status()["web"])["memory_bytes"] and r["health"]["age_s"] and r["health"]["age_s"] >= 1 and r,
                         timeout=10, what="an aged sample")
    assert sampled["health"]["status"] == "ok"
    fresh = json.loads(project.ok("status", "--json", "--probe").stdout)[0]
    assert fresh["health"]["status"] == "ok" and fresh["health"]["age_s"] == 0.0


def test_a_busy_tts_under_16_parallel_long_requests_is_not_restarted(project):
    import concurrent.futures
    import urllib.request

    project.write(
        {"redis": "python -m services.redis", "tts": "python -m services.tts"},
        {"redis": {"probe": "redis"}, "tts": {**FAST, "probe_timeout": 1.0, "depends_on": ["redis"]}},
        env="TTS_ENGINE=espeak\n",
    )
    project.ok("up")
    pid = wait_watched(project, "tts")["pid"]
    url = f"http://127.0.0.1:{project.ports['tts']}/tts"
    words = ("the platform keeps a busy service apart from a hung one " * 90)[:4990]  # near the 5,000-character limit

    def speak(i: int) -> int:
        body = json.dumps({"text": f"{i:02d} {words}", "engine": "espeak", "slow": True}).encode()
        request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status

    latencies, failures = [], []
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        answers = [pool.submit(speak, i) for i in range(16)]
        while not all(a.done() for a in answers):  # what the daemon's probes saw meanwhile
            sample = read_samples(project.data).get("tts") or {}
            if sample.get("pid") == pid and sample.get("probed_at"):
                latencies.append(sample["health"]["latency_ms"])
                failures.append(sample["failures"])
            time.sleep(0.1)
        statuses = [a.exception() or a.result() for a in answers]
    busy_s = time.monotonic() - started
    assert restart_events(project, "tts") == [], "a busy tts was taken for a hung one"
    assert statuses == [201] * 16
    # Busy for longer than liveness needs to restart a hung process (3 probes 0.5 s apart, 1 s timeout each).
    assert busy_s > 0.5 * 3 + 1.0, busy_s
    # Never near liveness_threshold (3): on 2 shared cores a single slow probe may happen, a run of them may not.
    assert latencies and max(failures) < 2, failures
    row = project.status()["tts"]
    assert row["pid"] == pid and row["restarts"] == 0 and row["health"]["status"] == "ok"
    assert restart_events(project, "tts") == []
    answered = [latency for latency in latencies if latency is not None]
    print(f"\ntts busy {busy_s:.1f}s under 16 parallel requests; probe latency max {max(answered):.0f} ms over {len(latencies)} samples")


def test_status_watch_redraws_until_ctrl_c_within_80_columns(project):
    project.write({"web": f"{WEB} # $PORT"}, {"web": {"probe": "http:/health"}})
    project.ok("up")
    watch = project.spawn("status", "--watch")
    frames = watch.wait_for(lambda lines: [line for line in lines if "healthy  (every 1s" in line][1:], timeout=15, what="two frames")
    assert frames[0].split()[1] == "1/1"
    code = watch.stop(signal.SIGINT)
    assert code == 130
    table = [line for line in watch.lines if line.startswith("web ")]
    assert table and "RUNNING" in table[-1] and all(len(line) <= 80 for line in watch.lines)
    bad = project.run("status", "--watch", "--json")
    assert bad.returncode == 2 and "--watch" in bad.stderr


def test_a_redis_with_a_password_is_probed_with_it_and_not_taken_for_a_hung_one(project):
    # Without AUTH the watchdog's PING gets NOAUTH: three of those and it would restart redis in a loop.
    project.write({"redis": "python -m services.redis"}, {"redis": {"probe": "redis", "password": True, "probe_interval": 0.5,
                                                                    "probe_timeout": 0.5, "liveness_threshold": 3}})
    project.ok("up")
    first = wait_watched(project, "redis")
    seen = []

    def probed_ok_for_2_seconds():
        sample = read_samples(project.data)["redis"]
        seen.append(sample["health"]["status"])
        return sample["pid"] == first["pid"] and sample["probed_at"] - seen_from >= 2.0

    seen_from = read_samples(project.data)["redis"]["probed_at"]
    wait_until(probed_ok_for_2_seconds, timeout=15, what="four more of the watchdog's probes of redis")
    assert set(seen) == {"ok"}, seen
    assert restart_events(project, "redis") == [] and project.status()["redis"]["restarts"] == 0
