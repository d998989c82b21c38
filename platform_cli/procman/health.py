"""Readiness probes: small checks kept apart from process code (HTTP GET, TCP connect, Redis PING,
a command's exit status, a line in the process's log).

The daemon's watchdog runs them inside supervisord: named tuples rather than dataclasses, and
subprocess imported by the exec probe only, keep what this costs the daemon's memory small."""

from __future__ import annotations

import os
import re
import signal
import socket
import time
from pathlib import Path
from typing import NamedTuple

HOST = "127.0.0.1"
KINDS = ("http", "tcp", "redis", "exec", "log", "none")
NEEDS_PORT = frozenset({"http", "tcp", "redis"})  # exec and log probes reach no port


class ProbeSpec(NamedTuple):
    kind: str  # one of KINDS
    path: str = "/health"  # for http; the command for exec; the pattern for log
    # An http probe platform chose itself (the command names $PORT, platform.toml names no probe):
    # any answer below 500 means "it listens, so it is up", as under honcho or PM2, so that
    # `python -m http.server $PORT` (a 404 on /health) is ready. A probe the user wrote wants 2xx/3xx.
    inferred: bool = False

    def describe(self) -> str:
        if self.kind == "exec":
            return f"`{self.path}` exits 0"
        if self.kind == "log":
            return f"a log line matching {self.path!r}"
        return f"GET {self.path}" if self.kind == "http" else {"tcp": "TCP connect", "redis": "Redis PING"}.get(
            self.kind, "running"
        )


class ProbeContext(NamedTuple):
    """What exec and log probes need beyond a port: where to run, whose log, since when."""

    name: str
    cwd: Path  # the project folder: an exec probe runs there
    logs_dir: Path  # data/logs: a log probe reads <name>.log and <name>.err.log there
    since: float | None = None  # the process's current start (unix time): older log lines do not count
    port: int | None = None  # PORT for an exec probe's environment


class HealthResult(NamedTuple):
    ok: bool | None  # None: the process has no probe
    latency_ms: float | None
    detail: str

    def to_json(self) -> dict:
        status = "none" if self.ok is None else ("ok" if self.ok else "failing")
        return {"status": status, "latency_ms": self.latency_ms, "detail": self.detail}


NO_PROBE = HealthResult(None, None, "no probe")


def parse_probe(text: str) -> ProbeSpec:
    """`http`, `http:/path`, `tcp`, `redis`, `exec:COMMAND`, `log:PATTERN` or `none`; ValueError otherwise."""
    kind, _, path = text.partition(":")
    if kind not in KINDS:
        raise ValueError(f"probe must be one of {', '.join(KINDS)} (http:/path, exec:COMMAND, log:PATTERN), not {text!r}")
    if kind in ("exec", "log"):
        if not path.strip():
            raise ValueError(f"{kind} probe needs {'a command' if kind == 'exec' else 'a pattern'}: {kind}:...")
        if kind == "log":
            try:
                re.compile(path)
            except re.error as exc:
                raise ValueError(f"log probe pattern {path!r} is not a regular expression: {exc}") from None
        return ProbeSpec(kind, path)
    if kind == "http":
        path = path or "/health"
        if not path.startswith("/"):
            raise ValueError(f"http probe path must start with '/', not {path!r}")
        return ProbeSpec("http", path)
    if path:
        raise ValueError(f"only http probes take a path, not {text!r}")
    return ProbeSpec(kind)


def check(probe: ProbeSpec, port: int | None, timeout: float = 1.0, password: str | None = None,
          context: ProbeContext | None = None) -> HealthResult:
    """Run one probe against 127.0.0.1:port; never raises. password: a redis probe's AUTH;
    context: what an exec or log probe needs (without one, they fail saying so)."""
    if probe.kind == "none":
        return NO_PROBE
    if probe.kind in ("exec", "log"):
        if context is None:
            return HealthResult(False, None, f"{probe.kind} probe without a context")
        started = time.perf_counter()
        detail = _exec(probe, context, timeout) if probe.kind == "exec" else _log(probe, context)
        return HealthResult(detail is None, round((time.perf_counter() - started) * 1000, 2), detail or "ok")
    if port is None:
        return HealthResult(False, None, "no port")
    started = time.perf_counter()
    try:
        detail = _redis(probe, port, timeout, password) if probe.kind == "redis" else _PROBES[probe.kind](probe, port, timeout)
    except (OSError, ValueError, OverflowError) as exc:
        return HealthResult(False, None, _reason(exc))
    latency = round((time.perf_counter() - started) * 1000, 2)
    return HealthResult(detail is None, latency, detail or "ok")


def _http(probe: ProbeSpec, port: int, timeout: float) -> str | None:
    import http.client  # costs ~50 ms to import; only http probes pay it

    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", probe.path, headers={"User-Agent": "platform-probe"})
        status = conn.getresponse().status
    except http.client.HTTPException as exc:
        raise ValueError(f"bad HTTP response ({type(exc).__name__})") from exc
    finally:
        conn.close()
    return None if (status < 500 if probe.inferred else 200 <= status < 400) else f"HTTP {status}"


def _tcp(probe: ProbeSpec, port: int, timeout: float) -> str | None:
    with socket.create_connection((HOST, port), timeout=timeout):
        return None


def _redis(probe: ProbeSpec, port: int, timeout: float, password: str | None = None) -> str | None:
    # A raw RESP PING rather than redis-py: importing redis costs ~170 ms, which `platform status`
    # would pay on every call, for one fixed request and a one-line reply (two with AUTH first).
    request = b"PING\r\n"
    if password:
        secret = password.encode()
        request = b"*2\r\n$4\r\nAUTH\r\n$%d\r\n%s\r\n" % (len(secret), secret) + request
    with socket.create_connection((HOST, port), timeout=timeout) as sock:
        sock.sendall(request)
        reply = b""
        while reply.count(b"\r\n") < (2 if password else 1):
            chunk = sock.recv(256)
            if not chunk:
                break
            reply += chunk
    replies = reply.split(b"\r\n")
    if password and replies[0] != b"+OK":
        return replies[0].decode("utf-8", "replace").strip() or "no reply"
    if replies[-2:-1] == [b"+PONG"] or reply.startswith(b"+PONG"):
        return None
    return reply.decode("utf-8", "replace").strip() or "no reply"


def _exec(probe: ProbeSpec, context: ProbeContext, timeout: float) -> str | None:
    """The command, through the shell, in the project folder, with PORT and PLATFORM_PROCESS set;
    its own session, so that a timeout ends whatever it started."""
    import subprocess  # here: `platform status` loads this module and probes no command (~3 ms)

    env = {**os.environ, "PLATFORM_PROCESS": context.name}
    if context.port is not None:
        env["PORT"] = str(context.port)
    # The exit status comes back as the output's last line, not from waitpid: inside supervisord
    # (the watchdog is its thread) supervisord's own SIGCHLD handler reaps every child with
    # waitpid(-1), and subprocess reads a child reaped by someone else as exit 0 (ECHILD), so a
    # failing probe passed whenever supervisord won that race. The command runs in a subshell; the
    # outer shell then prints a mark of this call (random: the command cannot fake it) and $?.
    mark = f"platform-probe-exit-{os.urandom(8).hex()}:"
    try:
        proc = subprocess.Popen(f"( {probe.path}\n)\necho {mark}$?", shell=True, cwd=context.cwd, env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    except OSError as exc:
        return f"cannot run: {exc}"
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.communicate()
        return "timed out"
    text = out.decode("utf-8", "replace") if out else ""
    text, found, told = text.rpartition(mark)
    told = told.strip()
    if not found or not told.isdigit():  # no mark: the shell itself was killed
        return f"exit {proc.returncode}"
    if told == "0":
        return None
    last = text.strip().splitlines()[-1:]
    return f"exit {told}" + (f": {last[0][:200]}" if last else "")


LOG_PROBE_LINES = 5000  # a log probe reads at most this many recent lines of each stream


def _log(probe: ProbeSpec, context: ProbeContext) -> str | None:
    from platform_cli.procman.logfiles import make_stamp
    from platform_cli.procman.logtail import last_lines

    since = make_stamp(context.since) if context.since else b""
    pattern = re.compile(probe.path.encode("utf-8"))
    for line in last_lines(context.logs_dir, [context.name], lines=LOG_PROBE_LINES, since=since):
        if pattern.search(line.text):
            return None
    return "no matching line yet"


_PROBES = {"http": _http, "tcp": _tcp, "redis": _redis}


def _reason(exc: Exception) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return "timed out"
    return str(exc) or type(exc).__name__


def port_is_free(port: int) -> bool:
    """True when nothing listens on 127.0.0.1:port (or on all interfaces)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # SO_REUSEADDR: a port left in TIME_WAIT by our own stopped process is still free to use.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True
