from platform_cli.procman.stopping import plan_waves, stop_in_waves


def test_unrelated_processes_stop_in_one_wave():
    assert plan_waves({}, ["a", "b", "c"]) == [["a", "b", "c"]]


def test_a_dependent_stops_a_wave_before_what_it_depends_on():
    deps = {"gateway": ("orders", "tts"), "orders": ("redis",), "tts": ("redis",)}
    assert plan_waves(deps, ["redis", "orders", "tts", "gateway", "lone"]) == [["gateway", "lone"], ["orders", "tts"], ["redis"]]


def test_a_dependency_whose_dependent_is_not_stopping_stops_at_once():
    assert plan_waves({"orders": ("redis",)}, ["redis"]) == [["redis"]]


def test_a_dependent_stops_first_even_through_a_process_not_being_stopped():
    assert plan_waves({"app": ("cache",), "cache": ("db",)}, ["db", "app"]) == [["app"], ["db"]]


class SlowToStop:
    """Each program reads STOPPING for `polls` looks at its state after the stop, then STOPPED."""

    def __init__(self, polls: int):
        self.polls, self.asked = polls, 0
        self.stopping = False

    def states(self, names):
        if not self.stopping:
            return {n: "RUNNING" for n in names}
        self.asked += 1
        return {n: "STOPPED" if self.asked > self.polls else "STOPPING" for n in names}

    def stop_nowait(self, names):
        self.stopping = True


def _sleeps(polls: int) -> list[float]:
    slept = []
    list(stop_in_waves(SlowToStop(polls), {}, {"a": 1.0}, ["a"], sleep=slept.append))
    return slept


def test_a_wave_is_looked_at_at_once_then_after_2_4_8_16_ms_and_every_20_ms():
    assert _sleeps(0) == []  # stopped when stopProcess returned: no wait at all
    assert _sleeps(7) == [0.002, 0.004, 0.008, 0.016, 0.02, 0.02, 0.02]
