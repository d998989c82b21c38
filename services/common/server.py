"""waitress as every service runs it: what it does before the app, made safe and ours.

- Bodies: `max_request_body_size` is the app's own limit, so a Content-Length over it is a 413
  as soon as the headers are read, before any byte of the body is spooled to a temporary file.
- Framing: a request with both Content-Length and Transfer-Encoding is a 400 and its connection
  is closed (RFC 9112 section 6.1: the two disagreeing is how requests are smuggled past a proxy).
- Errors waitress makes itself (malformed request line, headers too large, the two above) carry
  the JSON error envelope and an X-Request-ID, like every answer of the app.
- Health probes: `GET /health` is answered on a lane of its own (services/common/healthlane.py),
  outside the work pool, so a busy service is not taken for a hung one by the watchdog. It still
  goes through the app, so the Host check and every hook above apply to it too.
- Slow clients: waitress holds a half-sent request in its event loop, not in a thread, so only
  its connection limit matters: raised from 100 to CONNECTION_LIMIT (with poll(), not select(),
  which cannot watch a descriptor past 1023), and idle connections are closed after
  CHANNEL_TIMEOUT_S instead of 120 s.

These are waitress's own extension points (a server's `channel_class`, a channel's
`parser_class` and `error_task_class`, and `create_server(_dispatcher=)` for the health lane);
setup.cfg keeps waitress below its next major, and tests/unit/test_server_hooks.py and
tests/unit/test_upstream_waitress.py fail with "upstream changed" if they move.
"""

from __future__ import annotations

import json
import resource
import uuid

from waitress import create_server
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser, ParsingError, TransferEncodingNotImplemented
from waitress.task import ErrorTask

from services.common.healthlane import HealthLaneDispatcher

CONNECTION_LIMIT = 2000
CHANNEL_TIMEOUT_S = 30
SPARE_FDS = 200  # files, upstream connections, Redis: what the process needs beside its clients


class StrictParser(HTTPRequestParser):
    def parse_header(self, header_plus: bytes) -> None:
        try:
            super().parse_header(header_plus)
        except TransferEncodingNotImplemented:
            if "CONTENT_LENGTH" in self.headers:
                raise ParsingError("Content-Length and Transfer-Encoding together") from None
            raise
        # waitress drops Transfer-Encoding from an HTTP/1.1 request's headers once it has read it as chunked.
        if (self.chunked or "TRANSFER_ENCODING" in self.headers) and "CONTENT_LENGTH" in self.headers:
            raise ParsingError("Content-Length and Transfer-Encoding together")


class JsonErrorTask(ErrorTask):
    """waitress's own error answer, as the JSON envelope (its connection closed, as waitress does)."""

    def execute(self) -> None:
        error = self.request.error
        code = error.reason.lower().replace(" ", "_")
        message = str(error.body) or error.reason
        body = json.dumps({"error": {"code": code, "message": message}}).encode()
        self.status = f"{error.code} {error.reason}"
        self.response_headers.extend([("Content-Type", "application/json"), ("X-Request-ID", uuid.uuid4().hex)])
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class Channel(HTTPChannel):
    parser_class = StrictParser
    error_task_class = JsonErrorTask


def make_server(app, host: str, port: int, threads: int, ident: str):
    max_body = app.config.get("MAX_CONTENT_LENGTH")
    server = create_server(
        app, host=host, port=port, threads=threads, ident=ident,
        # waitress refuses a Content-Length >= this: one more than the app accepts.
        max_request_body_size=max_body + 1 if max_body else 1024 ** 3,
        connection_limit=_connection_limit(), channel_timeout=CHANNEL_TIMEOUT_S, asyncore_use_poll=True,
        # GET /health has a thread of its own: a probe is answered even while every worker is busy.
        _dispatcher=HealthLaneDispatcher(threads),
    )  # fmt: skip
    server.channel_class = Channel
    return server


def _connection_limit() -> int:
    """CONNECTION_LIMIT, with the open-files limit raised to allow it (up to the hard limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = CONNECTION_LIMIT + SPARE_FDS
    if soft != resource.RLIM_INFINITY and soft < wanted:
        soft = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    return CONNECTION_LIMIT if soft == resource.RLIM_INFINITY else max(1, min(CONNECTION_LIMIT, soft - SPARE_FDS))
