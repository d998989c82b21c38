"""Watch mode's pure parts: which processes a change reloads, what is ignored, and the record a
failed reload leaves for status/events/logs."""

from __future__ import annotations

import json
from pathlib import Path

from watchfiles import Change

from platform_cli.procman.lifecycle import describe_event
from platform_cli.procman.reloads import failures, record
from platform_cli.procman.watching import make_filter, processes_for


def test_a_change_reloads_the_processes_watching_a_folder_above_it():
    paths = {"orders": (Path("/p/services/orders"), Path("/p/services/common")), "tts": (Path("/p/services/tts"),),
             "delivery": (Path("/p/services/common"),)}
    assert processes_for(["/p/services/common/streams.py"], paths) == ["orders", "delivery"]
    assert processes_for(["/p/services/tts/api.py", "/p/README.md"], paths) == ["tts"]
    assert processes_for(["/p/services/ordersx/a.py"], paths) == []  # a sibling with the same prefix


def test_caches_swap_files_and_the_data_folder_are_ignored(tmp_path):
    accept = make_filter([tmp_path / "data"])
    assert accept(Change.modified, str(tmp_path / "services" / "a.py"))
    assert not accept(Change.modified, str(tmp_path / "data" / "orders" / "orders-00.json"))
    assert not accept(Change.modified, str(tmp_path / "services" / "__pycache__" / "a.cpython-311.pyc"))
    assert not accept(Change.modified, str(tmp_path / "services" / ".a.py.swp"))


def test_a_failed_reload_stands_until_one_succeeds_and_each_is_an_event(tmp_path):
    (tmp_path / "supervisor").mkdir()
    record(tmp_path, "orders", "orders.2 was not ready within 8s", clock=lambda: 100.0)
    assert failures(tmp_path)["orders"]["message"] == "orders.2 was not ready within 8s"
    record(tmp_path, "orders", None, clock=lambda: 101.0)
    assert failures(tmp_path) == {}
    events = [json.loads(line) for line in (tmp_path / "supervisor" / "events.jsonl").read_text().splitlines()]
    assert [e["to"] for e in events] == ["RELOAD_FAILED", "RELOADED"]
    assert describe_event(events[0]) == "orders reload failed, the old instances keep serving: orders.2 was not ready within 8s"
