"""What `up` tells the daemon's watchdog (watch.json), and what the watchdog tells `status` (samples.json)."""

import os

from platform_cli.procman.project import load_project
from platform_cli.procman.samples import read_samples, write_samples
from platform_cli.procman.watchplan import load_plan, write_plan


def test_the_plan_carries_each_processs_probe_and_watchdog_settings(tmp_path):
    (tmp_path / "Procfile").write_text("web: serve $PORT\nworker: work\n")
    (tmp_path / "platform.toml").write_text('[web]\nprobe_interval = 0.5\nliveness = "tcp"\nmax_memory = "64MB"\nstop_timeout = 3\n')
    project = load_project(tmp_path / "Procfile", 5000, {})
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    write_plan(run_dir, project)
    plan = load_plan(run_dir)
    web, worker = plan["web"], plan["worker"]
    assert (web.probe.kind, web.probe.path, web.port, web.liveness_probe.kind, web.stop_timeout) == ("http", "/health", 5000, "tcp", 3.0)
    assert (web.settings.interval, web.settings.liveness, web.settings.max_memory, web.settings.probed) == (0.5, True, 64 << 20, True)
    assert (worker.settings.probed, worker.settings.liveness, worker.port) == (False, False, None)
    assert [p for p in os.listdir(run_dir)] == ["watch.json"]  # no temp file left behind


def test_no_plan_or_a_broken_one_is_an_empty_plan(tmp_path):
    assert load_plan(tmp_path) == {}
    (tmp_path / "watch.json").write_text('{"web": {"probe": 3}}')
    assert load_plan(tmp_path) == {}


def test_samples_round_trip_and_a_missing_file_is_no_samples(tmp_path):
    assert read_samples(tmp_path) == {}
    (tmp_path / "supervisor").mkdir()
    write_samples(tmp_path, {"web": {"pid": 12, "health": {"status": "ok"}}}, now=5.0)
    assert read_samples(tmp_path) == {"web": {"pid": 12, "health": {"status": "ok"}}}


def test_the_plan_says_whose_probe_authenticates_but_never_holds_the_password(tmp_path):
    (tmp_path / "Procfile").write_text("redis: python -m services.redis\nweb: serve $PORT\n")
    (tmp_path / "platform.toml").write_text('[redis]\nprobe = "redis"\nport = 6400\npassword = true\n')
    project = load_project(tmp_path / "Procfile", 5000, {})
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    write_plan(run_dir, project)
    plan = load_plan(run_dir)
    assert plan["redis"].password is True and plan["web"].password is False
    from platform_cli.procman.passwords import load_passwords

    secret = load_passwords(project, tmp_path / "data", create=True)["redis"]
    assert secret not in (run_dir / "watch.json").read_text()


def test_the_plan_keeps_whether_an_http_probe_was_inferred_from_port_or_written(tmp_path):
    (tmp_path / "Procfile").write_text("web: serve $PORT\napi: serve $PORT\n")
    (tmp_path / "platform.toml").write_text('[api]\nprobe = "http:/health"\n')
    project = load_project(tmp_path / "Procfile", 5000, {})
    assert project.processes["web"].probe.inferred and not project.processes["api"].probe.inferred
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    write_plan(run_dir, project)
    plan = load_plan(run_dir)
    assert plan["web"].probe.inferred is True and plan["api"].probe.inferred is False
    # A plan an older `up` wrote (two fields) still loads, as a written probe.
    (run_dir / "watch.json").write_text((run_dir / "watch.json").read_text().replace(", true]", "]"))
    assert load_plan(run_dir)["web"].probe.inferred is False
