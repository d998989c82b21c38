from platform_cli.procman.stopping import plan_waves


def test_unrelated_processes_stop_in_one_wave():
    assert plan_waves({}, ["a", "b", "c"]) == [["a", "b", "c"]]


def test_a_dependent_stops_a_wave_before_what_it_depends_on():
    deps = {"gateway": ("orders", "tts"), "orders": ("redis",), "tts": ("redis",)}
    assert plan_waves(deps, ["redis", "orders", "tts", "gateway", "lone"]) == [["gateway", "lone"], ["orders", "tts"], ["redis"]]


def test_a_dependency_whose_dependent_is_not_stopping_stops_at_once():
    assert plan_waves({"orders": ("redis",)}, ["redis"]) == [["redis"]]


def test_a_dependent_stops_first_even_through_a_process_not_being_stopped():
    assert plan_waves({"app": ("cache",), "cache": ("db",)}, ["db", "app"]) == [["app"], ["db"]]
