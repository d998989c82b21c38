"""`up` on a changed project restarts only what changed for each process, one at a time, and says why."""

from __future__ import annotations

from tests.e2e.conftest import WEB
from tests.helpers import free_port, wait_until

SERVICES = ["redis", "orders", "delivery", "tts", "gateway"]


def _pids(project) -> dict[str, int]:
    return {name: row["pid"] for name, row in project.status().items()}


def test_adding_or_removing_an_unrelated_line_restarts_nothing_else(stack):
    project = stack
    before = _pids(project)
    procfile = (project.root / "Procfile").read_text()
    toml = (project.root / "platform.toml").read_text()
    # At the top: every position and every generated priority would move if they followed lines.
    (project.root / "Procfile").write_text(f"hello: {WEB} # $PORT\n" + procfile)
    (project.root / "platform.toml").write_text(toml + f"\n[hello]\nport = {free_port()}\n")
    added = project.ok("up")
    assert "hello ready" in added.stdout and "restarting" not in added.stdout, added.stdout
    after = _pids(project)
    assert {n: after[n] for n in SERVICES} == before and after["hello"]
    (project.root / "Procfile").write_text(procfile)
    (project.root / "platform.toml").write_text(toml)
    removed = project.ok("up")
    assert "removed hello" in removed.stdout and "restarting" not in removed.stdout, removed.stdout
    assert _pids(project) == before


def test_a_dotenv_edit_restarts_each_process_once_the_one_before_it_is_ready(stack):
    project = stack
    before = _pids(project)
    (project.root / ".env").write_text((project.root / ".env").read_text() + "FOO=bar\n")
    out = project.ok("up").stdout
    said = [line.split(":", 1)[0] for line in out.splitlines() if line.endswith(", restarting")]
    assert said == SERVICES, out
    assert all(f"{name}: .env changed (FOO), restarting" in out for name in SERVICES)
    after = _pids(project)
    assert all(after[n] != before[n] for n in SERVICES)
    # From the recorded history: each was down (stopping .. starting) on its own, in dependency order.
    def spans(events):
        down = []
        for name in SERVICES:
            mine = [e for e in events if e["name"] == name]
            stopping = [e["ts"] for e in mine if e["to"] == "STOPPING"]
            starting = [e["ts"] for e in mine if e["to"] == "STARTING" and stopping and e["ts"] > stopping[-1]]
            if not starting:
                return None  # the listener records asynchronously: not all written yet
            down.append((stopping[-1], starting[0]))
        return down

    down = wait_until(lambda: spans(project.events()), what="every restart recorded")
    assert all(a[1] <= b[0] for a, b in zip(down, down[1:], strict=False)), down
    # A stop that was asked for is no error: the service says so on stdout, never on stderr.
    assert "orders: stopped" in project.ok("logs", "orders", "-n", "100").stdout
    assert "stopped" not in project.ok("logs", "orders", "--err", "-n", "100").stdout


def test_a_dependency_that_moves_restarts_it_and_its_dependents_only_saying_why(stack):
    project = stack
    before = _pids(project)
    new_port = free_port()
    toml = (project.root / "platform.toml").read_text()
    (project.root / "platform.toml").write_text(toml.replace(f"port = {project.ports['orders']}", f"port = {new_port}"))
    out = project.ok("up").stdout
    assert f"orders: its port moved to {new_port}, restarting" in out, out
    assert f"gateway: orders moved to port {new_port}, restarting" in out, out
    after = _pids(project)
    assert {n for n in SERVICES if after[n] != before[n]} == {"orders", "gateway"}
