"""Instances of a process: names, ports, filters, peers' addresses, and the gateway's registry."""

from __future__ import annotations

import json

import pytest

from platform_cli.errors import ConfigError
from platform_cli.procman.instances import load_scale, make_registry, parse_scale, save_scale, write_registry
from platform_cli.procman.project import load_project
from platform_cli.procman.supervisor_conf import make_programs
from services.gateway.registry import Registry, parse_registry

PROCFILE = "redis: python -m services.redis\norders: serve $PORT\ngateway: serve $PORT\n"
OPTIONS = '[redis]\nprobe = "redis"\n[orders]\ninstances = 3\ndepends_on = ["redis"]\n[gateway]\ndepends_on = ["orders"]\n'


def make(tmp_path, options=OPTIONS, scale=None):
    (tmp_path / "Procfile").write_text(PROCFILE)
    (tmp_path / "platform.toml").write_text(options)
    return load_project(tmp_path / "Procfile", 5000, {}, scale)


def test_instances_are_named_after_the_first_and_take_the_next_ports_of_its_block(tmp_path):
    project = make(tmp_path)
    assert project.names == ["redis", "orders", "orders.2", "orders.3", "gateway"]
    assert [project.processes[n].port for n in ("orders", "orders.2", "orders.3", "gateway")] == [5100, 5101, 5102, 5200]
    assert project.processes["orders.3"].env["PORT"] == "5102"
    assert project.processes["orders.2"].depends_on == ("redis",) and project.processes["orders.2"].family == "orders"


def test_a_filter_by_the_procfile_name_matches_every_instance(tmp_path):
    project = make(tmp_path)
    assert project.expand(["orders"]) == ["orders", "orders.2", "orders.3"]
    assert project.expand(["orders.2", "gateway"]) == ["orders.2", "gateway"]


def test_a_dependency_brings_its_instances_so_up_of_a_dependent_loads_and_starts_them(tmp_path):
    """`up gateway` on a long Procfile renders only gateway and its dependencies: orders' extra
    instances are among them, since each serves the gateway as orders does."""
    project = make(tmp_path)
    assert project.start_order(["gateway"]) == ["redis", "orders", "orders.2", "orders.3", "gateway"]
    programs = make_programs(project, tmp_path / "data", "/venv/bin", "/usr/bin", ["gateway"])
    assert [p.name for p in programs] == ["redis", "orders", "orders.2", "orders.3", "gateway"]
    assert project.start_order(["orders.2"]) == ["redis", "orders.2"]  # an instance alone brings no sibling


def test_peers_get_the_first_instance_as_the_stable_address(tmp_path):
    env = make(tmp_path).peer_environment()
    assert env["ORDERS_URL"] == "http://127.0.0.1:5100" and not any("." in key for key in env)


def test_scaling_restarts_no_instance_that_keeps_running(tmp_path):
    """A program's identity (what its restart depends on) is the same at 1 instance and at 3."""
    one = {p.name: p.script_name for p in make_programs(make(tmp_path, scale={"orders": 1}), tmp_path / "data", "/bin", "")}
    three = {p.name: p.script_name for p in make_programs(make(tmp_path), tmp_path / "data", "/bin", "")}
    assert set(three) - set(one) == {"orders.2", "orders.3"}
    assert all(three[name] == script for name, script in one.items())


def test_scale_from_the_cli_wins_over_platform_toml(tmp_path):
    data = tmp_path / "data"
    save_scale(data, "orders", 2)
    assert load_scale(data) == {"orders": 2}
    assert make(tmp_path, scale=load_scale(data)).expand(["orders"]) == ["orders", "orders.2"]


@pytest.mark.parametrize("options, message", [
    (OPTIONS.replace("instances = 3", "instances = 0"), "instances must be 1-100"),
    (OPTIONS.replace("instances = 3", "instances = 101"), "instances must be 1-100"),
    (OPTIONS.replace('probe = "redis"', 'probe = "redis"\ninstances = 2'), "a redis runs as one process"),
    (OPTIONS.replace("instances = 3", "instances = 3\nport = 5198"), "would both listen on port 5200"),
])
def test_bad_instance_counts_are_config_errors(tmp_path, options, message):
    with pytest.raises(ConfigError, match=message):
        make(tmp_path, options)


@pytest.mark.parametrize("text", ["orders", "=3", "orders=x", "orders=3.5"])
def test_parse_scale_refuses_what_is_not_name_equals_count(text):
    with pytest.raises(ValueError):
        parse_scale(text)


def test_the_registry_lists_ready_instances_and_the_gateway_reads_what_the_platform_wrote(tmp_path):
    project = make(tmp_path)
    registry = make_registry(project, states={"orders.2": "draining"}, absent={"orders.3"})
    write_registry(tmp_path, registry)
    assert "redis" not in registry["services"]  # not reached over http
    assert parse_registry(json.loads((tmp_path / "registry.json").read_text())) == {
        "orders": [("orders", "http://127.0.0.1:5100")], "gateway": [("gateway", "http://127.0.0.1:5200")]}


def test_the_gateway_registry_takes_turns_and_falls_back_to_the_environment(tmp_path):
    write_registry(tmp_path, make_registry(make(tmp_path)))
    reader = Registry(tmp_path / "registry.json", {"tts": "http://127.0.0.1:9"})
    firsts = [reader.urls("orders")[0] for _ in range(6)]
    assert sorted(set(firsts)) == ["http://127.0.0.1:5100", "http://127.0.0.1:5101", "http://127.0.0.1:5102"]
    assert firsts[:3] != firsts[1:4]  # each call starts one further
    assert reader.urls("tts") == ["http://127.0.0.1:9"] and reader.urls("nothing") == []
