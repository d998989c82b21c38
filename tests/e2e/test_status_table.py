"""`status` at 80 columns, and `up` ending with the same table once everything is ready."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.e2e.conftest import WEB

SERVICES = {"redis": "python -m services.redis", "orders": "python -m services.orders", "delivery": "python -m services.delivery",
            "tts": "python -m services.tts", "gateway": "python -m services.gateway"}
OPTIONS = {"redis": {"probe": "redis"}, "orders": {"probe": "http:/health", "depends_on": ["redis"]},
           "delivery": {"probe": "http:/health", "depends_on": ["redis"]}, "tts": {"probe": "http:/health", "depends_on": ["redis"]},
           "gateway": {"probe": "http:/health", "depends_on": ["orders", "delivery", "tts"]}}


def _at_width(project, columns: int, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLATFORM_")}
    env["COLUMNS"] = str(columns)
    return subprocess.run([sys.executable, "-m", "platform_cli", *args], cwd=project.root, env=env,
                          capture_output=True, text=True, timeout=120)


def _table(output: str) -> list[str]:
    lines = output.splitlines()
    start = max(i for i, line in enumerate(lines) if line.split()[:2] == ["name", "state"])
    return lines[start:]


def test_up_ends_with_the_status_table_every_process_running_and_the_gateway_column(project):
    project.write(SERVICES, OPTIONS, env="GTTS_TIMEOUT=1\n")
    up = _at_width(project, 200, "up")
    assert up.returncode == 0, up.stderr
    table = _table(up.stdout)
    assert table[0].split()[:3] == ["name", "state", "pid"] and "gateway" in table[0].split()
    rows = {line.split()[0]: line.split() for line in table[1:6]}
    assert list(rows) == list(SERVICES)
    assert {name: cells[1] for name, cells in rows.items()} == dict.fromkeys(SERVICES, "RUNNING")  # no STARTING after "ready"
    for name in ("orders", "delivery", "tts"):  # the gateway's view, as `status` shows it
        assert rows[name][-1] == "ok", table
    status = _at_width(project, 200, "status")
    assert [line.split()[:2] for line in _table(status.stdout)] == [line.split()[:2] for line in table]
    assert _table(status.stdout)[0].split() == table[0].split()  # the same columns (widths follow the cells)


def test_status_at_80_columns_fits_and_cuts_nothing(three_states):
    project = three_states
    result = _at_width(project, 80, "status")
    assert result.returncode == 3  # `down` is stopped
    lines = result.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines), lines
    assert "…" not in result.stdout
    table = {line.split()[0]: line.split() for line in lines[1:4]}
    assert table["web"][1] == "RUNNING" and table["a-rather-long-worker-name"][1] == "RUNNING"
    assert table["down"][1] == "STOPPED"
    assert "ok" in table["web"]  # health on the row itself


def test_status_watch_shows_the_instances_scale_adds_and_drops_those_it_removes(project):
    import signal

    project.write({"web": f"{WEB} # $PORT"}, {"web": {"probe": "http:/health"}})
    project.ok("up")
    watch = project.spawn("status", "web", "--watch")  # `web` stands for all its instances, in every frame

    def last_frame(lines: list[str]) -> list[str]:
        starts = [i for i, line in enumerate(lines) if "healthy  (every 1s" in line]
        return lines[starts[-2]:starts[-1]] if len(starts) >= 2 else []  # the last complete frame

    watch.wait_for(lambda lines: any(line.startswith("web ") for line in last_frame(lines)), timeout=15, what="a frame")
    project.ok("scale", "web=2")
    second = str(project.ports["web"] + 1)
    watch.wait_for(lambda lines: any(line.startswith("web.2 ") and second in line and "RUNNING" in line for line in last_frame(lines)),
                   timeout=15, what="web.2 with its port in a frame")
    project.ok("scale", "web=1")
    watch.wait_for(lambda lines: (frame := last_frame(lines)) and not any(line.startswith("web.2 ") for line in frame)
                   and "1/1 healthy" in frame[0], timeout=15, what="a frame without web.2")
    assert watch.stop(signal.SIGINT) == 130
