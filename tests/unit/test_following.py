"""Dependents restarted after their dependency restarts or recovers (procman/following.py)."""

from platform_cli.procman.following import Follow, step_follow

FOLLOWERS = {"web": ("db",)}


def test_a_dependent_is_restarted_once_the_restarted_dependency_is_ready_again():
    follow, restarts = step_follow(Follow(), FOLLOWERS, {"db": 10, "web": 20}, {"db": True, "web": True})
    assert restarts == []
    follow, restarts = step_follow(follow, FOLLOWERS, {"web": 20}, {"web": True})  # db down
    assert restarts == [] and follow.pending == {"db": frozenset({"web"})}
    follow, restarts = step_follow(follow, FOLLOWERS, {"db": 11, "web": 20}, {"db": False, "web": True})  # up, not ready
    assert restarts == []
    follow, restarts = step_follow(follow, FOLLOWERS, {"db": 11, "web": 20}, {"db": True, "web": True})
    assert restarts == [("web", "db restarted \u2192 restarted")]
    follow, restarts = step_follow(follow, FOLLOWERS, {"db": 11, "web": 21}, {"db": True, "web": True})
    assert restarts == []  # once


def test_a_dependency_that_fails_its_probe_and_recovers_restarts_its_dependents():
    follow, _ = step_follow(Follow(), FOLLOWERS, {"db": 10, "web": 20}, {"db": True})
    follow, restarts = step_follow(follow, FOLLOWERS, {"db": 10, "web": 20}, {"db": False})
    assert restarts == []
    follow, restarts = step_follow(follow, FOLLOWERS, {"db": 10, "web": 20}, {"db": True})
    assert restarts == [("web", "db unhealthy \u2192 restarted")]


def test_a_dependency_first_becoming_ready_restarts_nothing_and_a_stopped_dependent_is_left_stopped():
    follow, restarts = step_follow(Follow(), FOLLOWERS, {"db": 10}, {"db": False})
    follow, restarts = step_follow(follow, FOLLOWERS, {"db": 10, "web": 20}, {"db": True})
    assert restarts == []
    follow, _ = step_follow(follow, FOLLOWERS, {"db": 11}, {"db": False})  # web not running: nothing pending
    follow, restarts = step_follow(follow, FOLLOWERS, {"db": 11}, {"db": True})
    assert restarts == []
