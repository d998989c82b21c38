"""The dashboard's small rules: its Host check agrees with the services', and when the board reloads."""

from __future__ import annotations

import pytest

from platform_cli.dashboard import hosts as dashboard_hosts
from platform_cli.dashboard.changes import AFTER_S, BoardChanges, BoardClock

pytestmark = pytest.mark.unit

HEADERS = ["localhost", "localhost:8000", "127.0.0.1:1", "[::1]:5000", "[::1]", "LOCALHOST.", "evil.example", "evil.example:80",
           "localhost:x", "a:b:c", "", "[::1", "myhost.local:9", "127.0.0.2"]


@pytest.mark.parametrize("header", HEADERS)
def test_host_check_agrees_with_the_services(header):
    services_hosts = pytest.importorskip("services.common.hosts")  # the one place both may be read: a test
    environ = {"PLATFORM_ALLOWED_HOSTS": "myhost.local, 10.0.0.5"}
    assert dashboard_hosts.host_name(header) == services_hosts.host_name(header)
    assert dashboard_hosts.allowed_hosts(environ) == services_hosts.allowed_hosts(environ)


def test_board_reloads_at_once_on_a_change_and_again_after_it():
    changes = BoardChanges(None)
    clock = BoardClock(changes, now=100.0)
    assert clock.due_now(100.0) and not clock.due_now(100.5)  # the first load, then nothing new
    changes.version += 1
    assert clock.due_now(200.0)
    assert not clock.due_now(200.0 + AFTER_S[0] - 0.1)
    assert clock.due_now(200.0 + AFTER_S[0]) and clock.due_now(200.0 + AFTER_S[-1])
    assert not clock.due_now(300.0)
