"""The rolling reload's steps and its rollback, with a fake supervisord side (no processes)."""

from __future__ import annotations

import json

import pytest

from platform_cli.errors import NotReadyError, PortInUseError
from platform_cli.procman import rolling
from platform_cli.procman.project import load_project
from platform_cli.procman.rolling import RollingReload, Stage, reloadable

PROCFILE = "redis: python -m services.redis\norders: serve $PORT\ngateway: serve $PORT\n"
OPTIONS = '[redis]\nprobe = "redis"\n[orders]\ninstances = 2\ndepends_on = ["redis"]\n[gateway]\ndepends_on = ["orders"]\n'


class FakeRollout:
    """Records what would be loaded and started; `fail_on`: a program whose start fails."""

    def __init__(self, log, fail_on=None, error=NotReadyError):
        self.log, self.fail_on, self.error = log, fail_on, error

    def apply(self, project, programs, render, wanted, data_dir, reporter, hold=frozenset()):
        self.log.append(("apply", sorted(project.processes), tuple(wanted)))
        if self.fail_on in wanted:
            raise self.error(f"{self.fail_on} was not ready within 20s", details=["last 1 log lines of x:", "  SyntaxError: bad"])
        return list(wanted)

    def stale(self, programs):
        return set()


class FakeClient:
    """supervisord's side as stopping.stop_in_waves speaks to it: every program runs until stopped."""

    def __init__(self, log):
        self.log, self.stopped = log, set()

    def states(self, names):
        return {n: "STOPPED" if n in self.stopped else "RUNNING" for n in names}

    def stop_nowait(self, names):
        for name in names:
            self.log.append(("stop", name))
            self.stopped.add(name)


@pytest.fixture
def setup(tmp_path, monkeypatch):
    (tmp_path / "Procfile").write_text(PROCFILE)
    (tmp_path / "platform.toml").write_text(OPTIONS)
    (tmp_path / "data" / "supervisor").mkdir(parents=True)
    log = []

    def build(scale):
        return Stage(load_project(tmp_path / "Procfile", 5000, {}, scale), [], lambda kept: "")

    def registry():
        data = json.loads((tmp_path / "data" / "registry.json").read_text())
        return {i["name"]: i["state"] for i in data["services"]["orders"]}

    monkeypatch.setattr(rolling, "start_in_order", lambda client, project, names, data_dir, reporter: log.append(("start", *names)))
    monkeypatch.setattr(rolling, "drain", lambda data_dir, project, leaving, drain_s: log.append(("drain", *leaving)))
    return tmp_path, log, build, registry


class Quiet:
    def note(self, message):
        pass


def test_a_surge_starts_first_then_each_old_instance_is_drained_and_restarted_then_the_surge_goes(setup):
    tmp_path, log, build, registry = setup
    reload = RollingReload(FakeRollout(log), FakeClient(log), tmp_path / "data", build, Quiet(), drain_s=0)
    assert reload.reload("orders") == ["orders", "orders.2"]
    steps = [(s[0], s[1]) if s[0] in ("stop", "start", "drain") else (s[0], s[2]) for s in log]
    assert steps == [("apply", ("orders.3",)), ("drain", "orders"), ("stop", "orders"), ("start", "orders"),
                     ("drain", "orders.2"), ("stop", "orders.2"), ("start", "orders.2"), ("drain", "orders.3"),
                     ("apply", ("orders", "orders.2"))]
    assert "orders.3" not in log[-1][1]  # the last load is without the surge
    assert registry() == {"orders": "ready", "orders.2": "ready"}


def test_a_surge_that_is_not_ready_is_removed_and_the_old_instances_are_never_touched(setup):
    tmp_path, log, build, registry = setup
    rolling.write_registry(tmp_path / "data", rolling.make_registry(build({}).project))
    reload = RollingReload(FakeRollout(log, fail_on="orders.3"), FakeClient(log), tmp_path / "data", build, Quiet(), drain_s=0)
    with pytest.raises(NotReadyError, match="reload of orders rolled back: orders.3 was not ready") as caught:
        reload.reload_recorded("orders")
    assert caught.value.details[-1] == "  SyntaxError: bad"
    assert [s[0] for s in log] == ["apply", "apply"]  # surge tried, then removed: no stop, no drain of the old ones
    assert "orders.3" not in log[-1][1]
    assert registry() == {"orders": "ready", "orders.2": "ready"}
    reloads = json.loads((tmp_path / "data" / "supervisor" / "reloads.json").read_text())
    assert reloads["orders"]["message"].endswith("| last log line: SyntaxError: bad")


def test_a_surge_whose_port_is_taken_rolls_back_with_that_error(setup):
    tmp_path, log, build, registry = setup
    reload = RollingReload(FakeRollout(log, fail_on="orders.3", error=PortInUseError), FakeClient(log), tmp_path / "data",
                           build, Quiet(), drain_s=0)
    with pytest.raises(PortInUseError, match="rolled back"):
        reload.reload("orders")


def test_reload_all_takes_the_services_behind_another_not_the_front_nor_redis(setup):
    tmp_path, log, build, registry = setup
    assert reloadable(build({}).project) == ["orders"]
