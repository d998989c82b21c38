import socket

from platform_cli.procman.healthcheck import main, wait_healthy
from platform_cli.procman.secretfiles import load_secret_files
from tests.helpers import LocalServer, free_port


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += max(seconds, 0.2)


def test_a_listening_port_passes_the_tcp_probe_and_a_closed_one_fails_after_the_wait():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        assert wait_healthy("tcp", listener.getsockname()[1], 0) is None
    clock = FakeClock()
    assert wait_healthy("tcp", free_port(), 2, clock=clock, pause=clock.sleep) == "connection refused"
    assert clock.now >= 2


def test_the_command_checks_an_http_path_and_exits_1_when_unhealthy(capsys):
    from http.server import BaseHTTPRequestHandler

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200 if self.path == "/health" else 503)
            self.end_headers()

    server = LocalServer(Handler)
    try:
        port = server.server.server_address[1]
        assert main(["http:/health", str(port)]) == 0
        assert main(["http:/other", str(port)]) == 1
        assert "HTTP 503" in capsys.readouterr().err
        assert main(["bogus", str(port)]) == 2
    finally:
        server.close()


def test_secret_files_named_like_variables_become_variables(tmp_path):
    (tmp_path / "GATEWAY_JWT_SECRET").write_text("abc\n")
    (tmp_path / "not-a-name").write_text("x")
    (tmp_path / "kubernetes.io").mkdir()
    assert load_secret_files(tmp_path) == {"GATEWAY_JWT_SECRET": "abc"}
    assert load_secret_files(tmp_path / "missing") == {}



def _status_server(codes: dict[str, int]):
    from http.server import BaseHTTPRequestHandler

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(codes.get(self.path, 404))
            self.end_headers()

        def log_message(self, *args):
            pass

    return LocalServer(Handler)


def test_an_inferred_http_probe_takes_any_answer_below_500_and_a_written_one_wants_2xx_or_3xx():
    from platform_cli.procman.health import ProbeSpec, check

    server = _status_server({"/broken": 500})
    try:
        port = server.server.server_address[1]
        assert check(ProbeSpec("http", "/health", inferred=True), port).ok is True  # a 404: it listens
        assert check(ProbeSpec("http", "/health"), port).detail == "HTTP 404"
        assert check(ProbeSpec("http", "/broken", inferred=True), port).detail == "HTTP 500"
    finally:
        server.close()


def test_the_command_takes_any_answer_below_500_only_with_any_answer(capsys):
    server = _status_server({})
    try:
        port = str(server.server.server_address[1])
        assert main(["http:/health", port]) == 1
        assert main(["http:/health", port, "--any-answer"]) == 0
    finally:
        server.close()
