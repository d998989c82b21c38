"""Two clones of one project up at once (issue 20 point 9): the second gets its own ports, keeps
them, and `platform ls` lists both with their folders, ports and state."""

from __future__ import annotations

import json
import random

import pytest

from tests.e2e.conftest import WEB, Project
from tests.helpers import port_is_listening


def _free_block(count: int) -> int:
    """A base port whose block (base, base + 100, ...) and the next ones look free: below the
    kernel's ephemeral range, so that no other test's outgoing connection takes one meanwhile."""
    low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
    for _ in range(50):
        base = random.randrange(10_000, low - 5000, 100)
        if not any(port_is_listening(base + 1000 * b + 100 * i) for b in range(3) for i in range(count)):
            return base
    pytest.skip("no free port block found")


@pytest.fixture
def clones(tmp_path):
    made = []
    for name in ("a", "b"):  # short: supervisord binds its socket under a longer temporary name
        root = tmp_path / name
        root.mkdir()
        made.append(Project(root))
    yield made
    for clone in made:
        clone.run("down", timeout=120)


def test_two_clones_run_at_once_on_their_own_ports_and_ls_lists_both(clones, tmp_path):
    base = _free_block(2)
    shared_config = tmp_path / "user-config"
    for clone in clones:
        clone.write({"web": f"{WEB} # $PORT", "api": f"{WEB} # $PORT"}, env=f"PLATFORM_BASE_PORT={base}\n")
        # Both clones' `platform` runs see the same user settings folder: the machine's list.
        clone.environ = lambda clone=clone: {**Project.environ(clone), "XDG_CONFIG_HOME": str(shared_config), "COLUMNS": "400"}
    first, second = clones
    for clone in clones:
        # project.write picked explicit ports; a clone has none: honcho's numbering from the base.
        (clone.root / "platform.toml").write_text("")
    first.ok("up")
    second.ok("up")
    one, two = first.status(), second.status()
    assert (one["web"]["port"], one["api"]["port"]) == (base, base + 100)
    moved = two["web"]["port"]
    assert moved != base and moved % 1000 == base % 1000 and two["api"]["port"] == moved + 100
    for clone in clones:
        clone.wait_running("web", "api")
    assert (second.data / "base_port").read_text().strip() == str(moved)
    listed = [json.loads(line) for line in first.ok("ls", "--json").stdout.splitlines()]
    assert sorted(e["project_dir"] for e in listed) == sorted(str(c.root) for c in clones)
    assert {e["project_dir"]: e["ports"]["web"] for e in listed} == {str(first.root): base, str(second.root): moved}
    assert all(e["state"] == "2/2 running" for e in listed)
    human = second.ok("ls").stdout
    assert str(first.root) in human and str(second.root) in human and f"web {moved}" in human
    # The second clone keeps its ports from one `up` to the next, and leaves the list on `down`.
    second.ok("down")
    second.ok("up")
    assert second.status()["web"]["port"] == moved
    first.ok("down")
    listed = [json.loads(line) for line in second.ok("ls", "--json").stdout.splitlines()]
    assert [e["project_dir"] for e in listed] == [str(second.root)]
