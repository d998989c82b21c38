"""What services/common/server.py and services/common/healthlane.py rely on in waitress, checked
against the installed waitress.

server.py sets waitress's own extension points (a server's `channel_class`, a channel's
`parser_class` and `error_task_class`: tests/unit/test_server_hooks.py). The health lane goes
further: `create_server(_dispatcher=)` is a test shim, not an API, and the lane reads a channel's
queued requests. setup.cfg keeps waitress below its next major; these checks say "upstream
changed" when a name we use moves, and the first one fails when either module starts using a
waitress name that no check here or in test_server_hooks.py covers.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

from waitress import channel, parser, server, task

from tests.unit.upstream import expect, expect_signature

SERVICES = Path(__file__).resolve().parents[2] / "services" / "common"
CHECKED = {
    # server.py (tests/unit/test_server_hooks.py checks the hooks and the parser's behaviour)
    "waitress.create_server", "waitress.channel.HTTPChannel", "waitress.parser.HTTPRequestParser",
    "waitress.parser.ParsingError", "waitress.parser.TransferEncodingNotImplemented", "waitress.task.ErrorTask",
    # healthlane.py (below)
    "waitress.task.ThreadedTaskDispatcher",
}


def test_every_waitress_name_we_import_is_checked():
    used = set()
    for module in ("server.py", "healthlane.py"):
        for node in ast.walk(ast.parse((SERVICES / module).read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "waitress":
                used |= {f"{node.module}.{alias.name}" for alias in node.names}
    assert used == CHECKED, f"waitress names without a check here: {sorted(used ^ CHECKED)}"


def test_create_server_still_takes_the_dispatcher_the_server_hands_every_task_to():
    name = "waitress.create_server(_dispatcher=)"
    expect(name, "_dispatcher" in inspect.signature(server.create_server).parameters, "the parameter is gone")
    expect(name, "dispatcher = _dispatcher" in inspect.getsource(server.create_server), "it no longer uses the one given")
    add = inspect.getsource(server.BaseWSGIServer.add_task)
    expect("waitress.server.BaseWSGIServer.add_task", "self.task_dispatcher.add_task(task)" in add, "a task no longer goes to the dispatcher")
    # A service stops with SystemExit in the loop (services/common/runner.py): the lane's threads end there too.
    run = inspect.getsource(server.BaseWSGIServer.run)
    expect("waitress.server.BaseWSGIServer.run", "self.task_dispatcher.shutdown()" in run, "a stopped loop no longer shuts the dispatcher down")


def test_the_task_dispatcher_keeps_the_methods_the_lane_overrides_and_calls():
    expect_signature("waitress.task.ThreadedTaskDispatcher.__init__", task.ThreadedTaskDispatcher.__init__, "(self)")
    expect_signature("waitress.task.ThreadedTaskDispatcher.add_task", task.ThreadedTaskDispatcher.add_task, "(self, task)")
    expect_signature("waitress.task.ThreadedTaskDispatcher.set_thread_count", task.ThreadedTaskDispatcher.set_thread_count,
                     "(self, count)")
    expect_signature("waitress.task.ThreadedTaskDispatcher.shutdown", task.ThreadedTaskDispatcher.shutdown,
                     "(self, cancel_pending=True, timeout=5)")


def test_a_channel_is_the_task_and_queues_its_parsed_requests():
    received = inspect.getsource(channel.HTTPChannel.received)
    expect("waitress.channel.HTTPChannel.received", "self.requests.append" in received and "self.server.add_task(self)" in received,
           "a channel no longer queues its request and hands itself to the server")
    expect("waitress.channel.HTTPChannel.service", "self.server.add_task(self)" in inspect.getsource(channel.HTTPChannel.service),
           "a kept-alive channel no longer hands itself back for its next request")
    source = inspect.getsource(parser.HTTPRequestParser)
    expect("waitress.parser.HTTPRequestParser", "self.command" in source and "self.path" in source, "command/path are no longer set")
    expect("waitress.parser.HTTPRequestParser.error", parser.HTTPRequestParser.error is None,
           "no longer None until a request fails to parse")
