"""A small real HTTP process for end-to-end tests (stdlib only, so it starts fast).

Serves GET /health on $PORT. Knobs, from the environment:
  READY_AFTER  seconds after start before /health answers 200 (503 until then)
  CHECK_URL    on start, GET this URL and write "<status>" (or the error) to CHECK_FILE
  CRASH        exit at once with this exit code, after a line on stderr
  FAIL_AFTER   seconds after start after which /health answers 503 for good
  HANG_AFTER   seconds after start after which every request hangs (a deadlock, as the client sees it)
  IGNORE_TERM  set: SIGTERM is ignored
  LEAK_MB      a child process (in this process group) takes this many MB, 10 MB every 0.1 s, and keeps them
  STOP_CHECK_URL  on SIGTERM, GET this URL and append "<name> <status>" to STOP_CHECK_FILE, then exit
"""

import os
import signal
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

started = time.monotonic()


def fetch_status(url: str) -> str:
    try:
        return str(urllib.request.urlopen(url, timeout=2).status)
    except Exception as exc:  # the result, whatever it is, is what the test reads
        return f"error: {exc}"


def check_dependency() -> None:
    with open(os.environ["CHECK_FILE"], "w") as f:
        f.write(fetch_status(os.environ["CHECK_URL"]))


def check_on_stop(signum, frame) -> None:
    with open(os.environ["STOP_CHECK_FILE"], "a") as f:
        f.write(f"{os.environ.get('PLATFORM_PROCESS', 'web')} {fetch_status(os.environ['STOP_CHECK_URL'])}\n")
    sys.exit(0)


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        up = time.monotonic() - started
        if up >= float(os.environ.get("HANG_AFTER", "inf")):
            threading.Event().wait()
        ready = float(os.environ.get("READY_AFTER", "0")) <= up < float(os.environ.get("FAIL_AFTER", "inf"))
        code = 200 if ready or self.path != "/health" else 503
        body = b"ok\n" if code == 200 else b"not yet\n"
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        print(f"{os.environ.get('PLATFORM_PROCESS', 'web')}: {fmt % args}", flush=True)


if __name__ == "__main__":
    if "CRASH" in os.environ:
        print("web: crashing on purpose", file=sys.stderr, flush=True)
        sys.exit(int(os.environ["CRASH"]))
    if "CHECK_URL" in os.environ:
        check_dependency()
    if "IGNORE_TERM" in os.environ:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if "LEAK_MB" in os.environ and os.fork() == 0:
        held = []
        for _ in range(int(os.environ["LEAK_MB"]) // 10):
            held.append(b"x" * (10 << 20))  # written: resident at once
            time.sleep(0.1)
        while True:
            time.sleep(1)
    if "STOP_CHECK_URL" in os.environ:
        signal.signal(signal.SIGTERM, check_on_stop)
    server = ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler)
    print(f"web: listening on {os.environ['PORT']}", flush=True)
    server.serve_forever()
