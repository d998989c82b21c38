import pytest

from platform_cli.errors import ConfigError, UnknownProcessError
from platform_cli.procman.project import load_project


def make(tmp_path, procfile, options="", dotenv=None, base_port=5000):
    (tmp_path / "Procfile").write_text(procfile)
    if options:
        (tmp_path / "platform.toml").write_text(options)
    return load_project(tmp_path / "Procfile", base_port, dotenv or {})


def test_ports_follow_honcho_base_plus_100_per_line(tmp_path):
    project = make(tmp_path, "a: run $PORT\nb: run ${PORT}\nc: run $PORT\n", base_port=7000)
    assert [s.port for s in project.processes.values()] == [7000, 7100, 7200]
    assert project.processes["b"].env["PORT"] == "7100"


def test_a_process_that_uses_port_gets_an_http_health_probe_and_others_none(tmp_path):
    project = make(tmp_path, "web: serve $PORT\nworker: work\n")
    assert (project.processes["web"].probe.kind, project.processes["web"].probe.path) == ("http", "/health")
    worker = project.processes["worker"]
    assert worker.probe.kind == "none" and worker.port is None


def test_every_process_gets_a_port_as_under_honcho_even_when_its_command_does_not_mention_it(tmp_path):
    project = make(tmp_path, "web: python srv.py\nworker: python worker.py\nother: o\n", '[other]\nport = 8123\n', base_port=6000)
    assert [s.env["PORT"] for s in project.processes.values()] == ["6000", "6100", "8123"]
    # Not known to listen: no probe, no address shown or handed to the others.
    assert project.processes["web"].port is None and "WEB_URL" not in project.peer_environment()


def test_options_file_sets_probe_port_timeouts_and_dependencies(tmp_path):
    project = make(
        tmp_path,
        "redis: python -m services.redis\nweb: serve $PORT\n",
        '[redis]\nprobe = "redis"\nport = 6400\n[web]\nprobe = "http:/ready"\ndepends_on = ["redis"]\n'
        "start_timeout = 5\nstop_timeout = 2.5\nretries = 1\n",
    )
    redis, web = project.processes["redis"], project.processes["web"]
    assert redis.port == 6400 and redis.env["PORT"] == "6400" and redis.url == "redis://127.0.0.1:6400"
    assert web.probe.path == "/ready" and web.depends_on == ("redis",)
    assert (web.start_timeout, web.stop_timeout, web.retries) == (5.0, 2.5, 1)


def test_every_process_learns_every_address(tmp_path):
    project = make(tmp_path, "redis: r $PORT\norders-api: o $PORT\nworker: w\n", '[redis]\nprobe = "redis"\n')
    assert project.peer_environment() == {
        "REDIS_PORT": "5000",
        "REDIS_URL": "redis://127.0.0.1:5000",
        "ORDERS_API_PORT": "5100",
        "ORDERS_API_URL": "http://127.0.0.1:5100",
    }


def test_start_order_puts_dependencies_first_and_keeps_procfile_order_otherwise(tmp_path):
    project = make(
        tmp_path,
        "gateway: g\norders: o\ndelivery: d\nredis: r\n",
        '[gateway]\ndepends_on = ["orders", "delivery"]\n[orders]\ndepends_on = ["redis"]\n'
        '[delivery]\ndepends_on = ["redis"]\n',
    )
    assert project.start_order() == ["redis", "orders", "delivery", "gateway"]
    assert project.start_order(["orders"]) == ["redis", "orders"]
    assert project.start_order([]) == []  # nothing selected is nothing: only None means all


def test_unknown_names_list_the_known_ones(tmp_path):
    project = make(tmp_path, "a: x\nb: y\n")
    with pytest.raises(UnknownProcessError) as err:
        project.start_order(["c"])
    assert err.value.message == "unknown process: c" and err.value.hint == "known processes: a, b"


@pytest.mark.parametrize(
    "options, words",
    [
        ('[nope]\nprobe = "tcp"\n', "[nope] is not a process in the Procfile"),
        ("[a]\nprobes = 1\n", "unknown setting probes"),
        ('[a]\nprobe = "smtp"\n', "probe must be one of"),
        ('[a]\nprobe = "tcp:/x"\n', "only http probes take a path"),
        ('[a]\nprobe = "http:health"\n', "must start with '/'"),
        ('[a]\nport = "80"\n', "port has the wrong type"),
        ("[a]\nport = true\n", "port has the wrong type"),
        ("[a]\nport = 70000\n", "port must be 1-65535"),
        ("[a]\nstart_timeout = 0\n", "timeouts must be positive"),
        ("[a]\nretries = -1\n", "retries must be 0 or more"),
        ('[a]\ndepends_on = ["zzz"]\n', "depends on unknown process zzz"),
        ('[a]\ndepends_on = ["b"]\n[b]\ndepends_on = ["a"]\n', "dependency cycle"),
        ("[a\n", "platform.toml"),
    ],
)
def test_bad_options_are_config_errors(tmp_path, options, words):
    with pytest.raises(ConfigError) as err:
        make(tmp_path, "a: x\nb: y\n", options)
    assert words in err.value.message


def test_a_port_past_65535_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="b would get port 65600, past 65535"):
        make(tmp_path, "a: x $PORT\nb: y $PORT\n", base_port=65500)


def test_watchdog_settings_have_defaults_and_liveness_is_on_only_with_a_probe(tmp_path):
    project = make(tmp_path, "web: serve $PORT\nworker: work\n")
    web, worker = project.processes["web"], project.processes["worker"]
    assert (web.probe_interval, web.probe_timeout, web.failure_threshold, web.liveness, web.liveness_threshold, web.max_memory) == (
        5.0, 2.0, 1, True, 3, None)
    assert worker.liveness is False


def test_watchdog_settings_are_read_and_max_memory_is_bytes(tmp_path):
    project = make(tmp_path, "web: serve $PORT\n", '[web]\nprobe_interval = 0.5\nprobe_timeout = 1\nfailure_threshold = 2\n'
                   'liveness = false\nliveness_threshold = 4\nmax_memory = "300MB"\n')
    web = project.processes["web"]
    assert (web.probe_interval, web.probe_timeout, web.failure_threshold, web.liveness, web.liveness_threshold) == (0.5, 1.0, 2, False, 4)
    assert web.max_memory == 300 * 1024 * 1024


@pytest.mark.parametrize("value, expected", [('"512M"', 512 << 20), ('"1g"', 1 << 30), ('"64MiB"', 64 << 20), ("1048576", 1 << 20),
                                             ('"1.5GB"', 3 << 29)])
def test_max_memory_takes_pm2_and_compose_spellings(tmp_path, value, expected):
    project = make(tmp_path, "web: serve $PORT\n", f"[web]\nmax_memory = {value}\n")
    assert project.processes["web"].max_memory == expected


@pytest.mark.parametrize("options, words", [
    ('max_memory = "lots"', "max_memory must be bytes or a size"),
    ("max_memory = 0", "max_memory must be bytes or a size"),
    ("probe_interval = 0", "must be positive seconds"),
    ("liveness_threshold = 0", "liveness_threshold must be 1 or more"),
    ('liveness = "yes"', "liveness: probe must be one of"),
    ('liveness = 1', "liveness must be true, false or a probe"),
])
def test_bad_watchdog_settings_are_config_errors_naming_them(tmp_path, options, words):
    with pytest.raises(ConfigError, match=words):
        make(tmp_path, "web: serve $PORT\n", f"[web]\n{options}\n")


def test_liveness_without_a_probe_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="liveness needs a probe"):
        make(tmp_path, "worker: work\n", "[worker]\nliveness = true\n")


def test_liveness_may_have_a_probe_of_its_own(tmp_path):
    project = make(tmp_path, "web: serve $PORT\n", '[web]\nliveness = "http:/live"\n')
    web = project.processes["web"]
    assert web.liveness is True and web.liveness_probe.path == "/live" and web.probe.path == "/health"


def test_a_redis_password_goes_into_its_url_for_peers_and_needs_a_redis_probe(tmp_path):
    project = make(tmp_path, "redis: python -m services.redis\nweb: serve $PORT\n",
                   '[redis]\nprobe = "redis"\nport = 6400\npassword = true\n')
    assert project.processes["redis"].password and not project.processes["web"].password
    assert project.peer_environment()["REDIS_URL"] == "redis://127.0.0.1:6400"  # no password known: none given
    assert project.peer_environment(passwords={"redis": "s3cret"})["REDIS_URL"] == "redis://:s3cret@127.0.0.1:6400"
    assert project.processes["redis"].url == "redis://127.0.0.1:6400"  # what status shows: never the password
    with pytest.raises(ConfigError, match='password needs probe = "redis"'):
        make(tmp_path, "web: serve $PORT\n", "[web]\npassword = true\n")
    with pytest.raises(ConfigError, match="password must be true or false"):
        make(tmp_path, "redis: r\n", '[redis]\nprobe = "redis"\npassword = "yes"\n')


@pytest.mark.parametrize("password", ["true", "false"])
def test_a_redis_password_in_dotenv_is_refused_with_the_one_way_in_the_hint(tmp_path, password):
    # Services take REDIS_PASSWORD when REDIS_URL has none: from .env it would reach them all.
    (tmp_path / "Procfile").write_text("redis: python -m services.redis\nweb: serve $PORT\n")
    (tmp_path / "platform.toml").write_text(f'[redis]\nprobe = "redis"\npassword = {password}\n')
    with pytest.raises(ConfigError, match=r"REDIS_PASSWORD in \.env") as caught:
        load_project(tmp_path / "Procfile", 5000, {"REDIS_PASSWORD": "from-an-older-export"})
    assert "password = true` under [redis]" in caught.value.hint
    assert load_project(tmp_path / "Procfile", 5000, {"WEB_PASSWORD": "not a redis's"}).processes["redis"]


def test_a_task_defaults_to_no_restart_and_no_probe_even_when_it_mentions_port(tmp_path):
    project = make(tmp_path, "migrate: run $PORT\nweb: serve $PORT\n",
                   '[migrate]\nkind = "task"\n[web]\ndepends_on = { migrate = "completed_successfully" }\nrestart = "on_failure"\n'
                   "success_exit_codes = [130, 0]\n")
    migrate, web = project.processes["migrate"], project.processes["web"]
    assert (migrate.kind, migrate.restart, migrate.probe.kind, migrate.liveness) == ("task", "no", "none", False)
    assert web.depends_on == ("migrate",) and web.conditions == {"migrate": "completed_successfully"}
    assert (web.restart, web.success_exit_codes) == ("on_failure", (0, 130))
    assert project.start_order(["web"]) == ["migrate", "web"]


@pytest.mark.parametrize("options, message", [
    ('[a]\nkind = "job"\n', "kind must be one of service, task"),
    ('[a]\nrestart = "sometimes"\n', "restart must be one of always, on_failure, no"),
    ('[a]\nkind = "task"\nrestart = "always"\n', "would run a task for ever"),
    ('[a]\nkind = "task"\nprobe = "tcp"\n', "a task has no probe"),
    ("[a]\nsuccess_exit_codes = []\n", "success_exit_codes must be a non-empty list"),
    ("[a]\nsuccess_exit_codes = [256]\n", "success_exit_codes must be a non-empty list"),
    ('[b]\ndepends_on = { a = "done" }\n', "depends_on.a must be one of started, healthy, completed_successfully"),
    ('[b]\ndepends_on = { a = "completed_successfully" }\n', "waits for a to complete, but a is a service"),
])
def test_process_model_settings_are_validated(tmp_path, options, message):
    with pytest.raises(ConfigError) as caught:
        make(tmp_path, "a: run\nb: run\n", options)
    assert message in caught.value.message


def test_exec_and_log_probes_need_no_port_and_a_log_probe_is_no_liveness_probe(tmp_path):
    project = make(tmp_path, "a: run\nb: run\n", '[a]\nprobe = "exec:./check.sh"\n[b]\nprobe = "log:ready"\n')
    a, b = project.processes["a"], project.processes["b"]
    assert (a.port, a.liveness) == (None, True) and (b.port, b.liveness) == (None, False)
    with pytest.raises(ConfigError, match="a log probe cannot tell a hung process"):
        make(tmp_path, "a: run\n", '[a]\nprobe = "log:ready"\nliveness = true\n')
    with pytest.raises(ConfigError, match="liveness cannot be a log probe"):
        make(tmp_path, "a: run\n", '[a]\nprobe = "tcp"\nliveness = "log:x"\n')


@pytest.mark.parametrize("options, message", [
    ('[a]\nstop_signal = "STOP"\n', "stop_signal must be one of TERM, INT"),
    ('[a]\nstop_signal = 2\n', "stop_signal has the wrong type"),
    ('[a]\nstop_command = ""\n', "stop_command must be one non-empty line"),
])
def test_stop_settings_are_validated(tmp_path, options, message):
    with pytest.raises(ConfigError, match=message):
        make(tmp_path, "a: run\n", options)


def test_on_dependency_restart_is_validated_and_needs_depends_on(tmp_path):
    project = make(tmp_path, "a: run\nb: run\n", '[b]\ndepends_on = ["a"]\non_dependency_restart = "restart"\n')
    assert project.processes["b"].on_dependency_restart == "restart" and project.processes["a"].on_dependency_restart == "ignore"
    with pytest.raises(ConfigError, match='must be "restart" or "ignore"'):
        make(tmp_path, "a: run\nb: run\n", '[b]\ndepends_on = ["a"]\non_dependency_restart = "hold"\n')
    with pytest.raises(ConfigError, match="needs depends_on"):
        make(tmp_path, "a: run\n", '[a]\non_dependency_restart = "restart"\n')
    with pytest.raises(ConfigError, match="max_concurrent can only be 1"):
        make(tmp_path, "a: run\n", '[a]\nkind = "task"\nschedule = "* * * * *"\nmax_concurrent = 2\n')
    with pytest.raises(ConfigError, match="schedule needs kind"):
        make(tmp_path, "a: run\n", '[a]\nschedule = "* * * * *"\n')


def test_groups_expand_in_procfile_order_and_enabled_false_is_left_out_of_all(tmp_path):
    project = make(tmp_path, "a: run\nb: run\nc: run\n", '[a]\ngroup = ["web", "x"]\n[c]\ngroup = "web"\nenabled = false\n')
    assert project.expand(["@web", "b", "a"]) == ["a", "c", "b"]
    assert project.enabled_names == ["a", "b"] and project.groups == ["web", "x"]
    with pytest.raises(UnknownProcessError):
        project.expand(["@none"])
    with pytest.raises(ConfigError, match="group must be a name"):
        make(tmp_path, "a: run\n", '[a]\ngroup = "../x"\n')
    with pytest.raises(ConfigError, match="enabled must be true or false"):
        make(tmp_path, "a: run\n", '[a]\nenabled = "no"\n')
