"""`platform attach NAME`: the terminal of a process run with `tty = true` (see ptyrelay.py).

The local terminal goes raw and is joined to the process's pseudo-terminal over the unix socket
in the data dir; Ctrl-] detaches and leaves the process running, as telnet's escape does (and
overmind's `connect` via tmux). The terminal is put back however this ends.
"""

from __future__ import annotations

import os
import selectors
import socket
from pathlib import Path

from platform_cli.errors import ConfigError, PlatformError

DETACH = b"\x1d"  # Ctrl-]


def socket_path(data_dir: Path, name: str) -> Path:
    return data_dir / "attach" / f"{name}.sock"


def attach(data_dir: Path, spec, stdin_fd: int = 0, stdout_fd: int = 1) -> str:
    """Join the terminal to `spec`'s process until Ctrl-] or its end; says which."""
    if not spec.tty:
        raise ConfigError(f"{spec.name} does not run on a terminal",
                          hint=f"set `tty = true` under [{spec.name}] in platform.toml, then `platform up {spec.name}`")
    path = socket_path(data_dir, spec.name)
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.connect(str(path))
    except (FileNotFoundError, ConnectionRefusedError):
        conn.close()
        raise PlatformError(f"{spec.name} is not running", hint=f"start it with `platform up {spec.name}`") from None
    with _raw(stdin_fd):
        return _pump(conn, stdin_fd, stdout_fd)


def _pump(conn: socket.socket, stdin_fd: int, stdout_fd: int) -> str:
    selector = selectors.DefaultSelector()
    selector.register(conn, selectors.EVENT_READ, "process")
    selector.register(stdin_fd, selectors.EVENT_READ, "keys")
    try:
        while True:
            for key, _ in selector.select():
                if key.data == "process":
                    data = conn.recv(65536)
                    if not data:
                        return "ended"
                    os.write(stdout_fd, data)
                else:
                    data = os.read(stdin_fd, 4096)
                    if not data or DETACH in data:
                        before = data.split(DETACH, 1)[0]
                        if before:
                            conn.sendall(before)
                        return "detached"
                    conn.sendall(data)
    finally:
        selector.close()
        conn.close()


class _raw:
    """The terminal in raw mode (keys as typed, Ctrl-C to the process), restored on exit."""

    def __init__(self, fd: int):
        self.fd, self.saved = fd, None

    def __enter__(self):
        import termios
        import tty

        if os.isatty(self.fd):
            self.saved = termios.tcgetattr(self.fd)
            tty.setraw(self.fd)
        return self

    def __exit__(self, *exc):
        import termios

        if self.saved is not None:
            termios.tcsetattr(self.fd, termios.TCSADRAIN, self.saved)
