"""Pins what services/common/healthlane.py relies on in waitress, failing with 'upstream changed'."""

import inspect

from waitress import channel, parser, server, task


def test_waitress_still_takes_a_dispatcher_and_a_channel_still_queues_requests():
    assert "_dispatcher" in inspect.signature(server.create_server).parameters, "upstream changed: create_server(_dispatcher=)"
    source = inspect.getsource(channel.HTTPChannel.received)
    assert "self.server.add_task(self)" in source and "self.requests.append" in source, "upstream changed: HTTPChannel.received"
    assert "self.server.add_task(self)" in inspect.getsource(channel.HTTPChannel.service), "upstream changed: HTTPChannel.service"
    for name in ("add_task", "set_thread_count", "shutdown"):
        assert hasattr(task.ThreadedTaskDispatcher, name), f"upstream changed: ThreadedTaskDispatcher.{name}"
    parse = inspect.getsource(parser.HTTPRequestParser)
    assert "self.command" in parse and "self.path" in parse, "upstream changed: HTTPRequestParser.command/.path"
    assert parser.HTTPRequestParser.error is None, "upstream changed: HTTPRequestParser.error (set on a request that failed to parse)"
