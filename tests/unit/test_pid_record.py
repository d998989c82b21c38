"""The pid record is cleared only once nothing it lists lives (then a cold `up` skips the orphan scan)."""

from __future__ import annotations

import os
import subprocess

from platform_cli.procman.pids import PidRecord


def test_clear_keeps_a_record_with_a_live_process_and_removes_one_without(tmp_path):
    record = PidRecord(tmp_path)
    child = subprocess.Popen(["sleep", "30"])
    try:
        record.add("sleeper", child.pid)
        record.clear()
        assert record.exists() and record.live() == {"sleeper": child.pid}
    finally:
        child.kill()
        child.wait()
    record.clear()
    assert not record.exists() and os.listdir(tmp_path) == []
