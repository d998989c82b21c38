"""`platform mcp`: an MCP client session (the SDK's own stdio client) against a real platform."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.e2e.conftest import WEB, WRITER
from tests.helpers import wait_until

pytest.importorskip("mcp", reason="the MCP SDK is not installed (pip install 'platform-cli[mcp]')")

TOOLS = {"status", "events", "logs", "start", "stop", "restart"}
SESSION_S = 90  # the whole session, restart included, is bounded


def session(project, steps):
    """Run `steps(client)` in a client session with `platform mcp` in the project; its result."""
    import anyio
    from mcp import Client, StdioServerParameters

    params = StdioServerParameters(command=sys.executable, args=["-m", "platform_cli", "mcp"], env=project.environ(), cwd=str(project.root))

    async def main():
        with anyio.fail_after(SESSION_S):
            async with Client(params) as client:
                return await steps(client)

    return anyio.run(main)


def rows(result) -> dict[str, dict]:
    assert not result.is_error, result.content
    return {row["name"]: row for row in result.structured_content["result"]}


def test_an_mcp_client_lists_tools_sees_the_processes_restarts_one_and_reads_its_logs(project):
    project.write({"web": f"{WEB} # $PORT", "writer": f"env COUNT=1500 {WRITER}"}, {"web": {"probe": "http:/health"}})
    project.ok("up")
    project.wait_until_lines(1500)
    before = project.status()

    async def steps(client):
        tools = {tool.name for tool in (await client.list_tools()).tools}
        status = rows(await client.call_tool("status", {}))
        restarted = await client.call_tool("restart", {"name": "web"})
        logs = await client.call_tool("logs", {"name": "writer", "lines": 5})
        capped = await client.call_tool("logs", {"name": "writer", "lines": 1_000_000})
        events = await client.call_tool("events", {"names": ["web"], "limit": 1000})
        unknown = await client.call_tool("restart", {"name": "wbe"})
        return tools, status, restarted, logs, capped, events, unknown

    tools, status, restarted, logs, capped, events, unknown = session(project, steps)

    assert TOOLS <= tools
    assert set(status) == {"web", "writer"}
    assert {n: (r["state"], r["pid"]) for n, r in status.items()} == {n: ("RUNNING", r["pid"]) for n, r in before.items()}

    assert not restarted.is_error, restarted.content
    new_pid = restarted.structured_content["pid"]
    assert new_pid and new_pid != before["web"]["pid"]
    assert restarted.structured_content["health"]["status"] == "ok"  # restart returns once ready
    assert project.status()["web"]["pid"] == new_pid  # the platform itself agrees

    pid = before["writer"]["pid"]
    lines = logs.structured_content["result"]
    assert [(l["process"], l["stream"], l["line"]) for l in lines] == [("writer", "stdout", f"writer {pid} {i}") for i in range(1495, 1500)]
    many = capped.structured_content["result"]
    assert len(many) == 1000 and many[0]["line"] == f"writer {pid} 500"  # bounded: the last 1000 only

    history = events.structured_content["result"]
    assert any(e.get("pid") == new_pid for e in history), history  # the restart is in the history

    assert unknown.is_error and "unknown process: wbe" in unknown.content[0].text and "did you mean web" in unknown.content[0].text


def test_mcp_stop_and_start_act_on_the_real_process(project):
    project.write({"web": f"{WEB} # $PORT", "idle": "sleep 1000"}, {"web": {"probe": "http:/health"}})
    project.ok("up", "web")  # idle is never started: supervisord does not hold it until it is

    async def steps(client):
        stopped = await client.call_tool("stop", {"name": "web"})
        seen = project.status()["web"]["state"]
        started = await client.call_tool("start", {"name": "web"})
        first = await client.call_tool("start", {"name": "idle"})
        return stopped, seen, started, first

    stopped, seen_stopped, started, first = session(project, steps)
    assert not first.is_error and first.structured_content["pid"], first.content
    assert not stopped.is_error and stopped.structured_content["state"] == "STOPPED" and seen_stopped == "STOPPED"
    # start returns once web is ready: its probe passes (the state may still be supervisord's STARTING)
    assert not started.is_error and started.structured_content["health"]["status"] == "ok" and started.structured_content["pid"]
    wait_until(lambda: project.status()["web"]["pid"] == started.structured_content["pid"], 10, what="web's new pid in status")


def test_mcp_without_a_procfile_is_exit_6(tmp_path):
    result = subprocess.run([sys.executable, "-m", "platform_cli", "mcp"], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                            env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}, stdin=subprocess.DEVNULL)
    assert result.returncode == 6 and result.stderr.startswith("error: ") and result.stdout == ""


def test_mcp_without_the_sdk_says_how_to_install_it(project):
    project.write({"web": f"{WEB} # $PORT"})
    hide_sdk = "import sys; sys.modules['mcp'] = None; sys.argv = ['platform', 'mcp']; from platform_cli.app import main; main()"
    result = subprocess.run([sys.executable, "-c", hide_sdk], cwd=project.root, env=project.environ(), capture_output=True, text=True,
                            timeout=60, stdin=subprocess.DEVNULL)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.splitlines() == ["error: the MCP SDK is not installed", "hint: pip install 'platform-cli[mcp]'"]
