"""The waitress extension points services/common/server.py relies on: fail loudly if upstream moves them."""

from __future__ import annotations

import inspect

import pytest

pytestmark = pytest.mark.unit


def test_waitress_still_has_the_hooks_we_set():
    from waitress.channel import HTTPChannel
    from waitress.parser import HTTPRequestParser
    from waitress.server import BaseWSGIServer
    from waitress.task import ErrorTask
    from waitress.utilities import Error

    assert "self.channel_class(" in inspect.getsource(BaseWSGIServer.handle_accept), "upstream changed: server channel_class"
    assert {"parser_class", "error_task_class"} <= set(vars(HTTPChannel)), "upstream changed: channel classes"
    assert "parse_header" in vars(HTTPRequestParser), "upstream changed: HTTPRequestParser.parse_header"
    assert "execute" in vars(ErrorTask) and {"code", "reason"} <= set(vars(Error)), "upstream changed: ErrorTask / Error"


def test_content_length_with_transfer_encoding_is_a_parsing_error():
    from waitress.adjustments import Adjustments

    from services.common.server import StrictParser

    for coding in (b"chunked", b"identity"):
        parser = StrictParser(Adjustments())
        parser.received(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: " + coding + b"\r\n\r\n")
        assert parser.completed and parser.error is not None and parser.error.code == 400, coding
    plain, data = StrictParser(Adjustments()), b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
    while data and not plain.completed:  # as waitress's channel feeds it: the headers, then the body
        data = data[plain.received(data):]
    assert plain.completed and plain.error is None and plain.get_body_stream().read() == b"abc"
