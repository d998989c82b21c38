"""Who holds a port: exit 8 names the program in the way (pid and command) so that the person can
stop it, instead of leaving them to run `ss -ltnp` or `lsof -i` themselves.

psutil.net_connections() reads the kernel's socket tables (/proc/net/tcp{,6} on Linux) and matches
each socket's inode against the open files of every process it may look into. Another user's
processes cannot be looked into without root: the socket is then listed with no pid, and we say so
rather than guess.
"""

from __future__ import annotations

from dataclasses import dataclass

COMMAND_MAX = 200  # a command line can be pages long (a JVM's classpath); the start says what it is


@dataclass(frozen=True)
class PortHolder:
    pid: int | None  # None: the socket is there, its owner is not ours to see
    command: str | None

    def describe(self) -> str:
        if self.pid is None:
            return "a process this user cannot see (another user's, or in another container)"
        return f"pid {self.pid} ({self.command})" if self.command else f"pid {self.pid}"


def find_port_holder(port: int) -> PortHolder | None:
    """The process listening on TCP `port` (any local address, IPv4 or IPv6); None when nothing
    listens there or the system does not let us read its socket tables."""
    import psutil  # here, not at import: only a port clash pays for it

    try:
        listening = [c for c in psutil.net_connections(kind="tcp") if c.status == psutil.CONN_LISTEN and c.laddr and c.laddr.port == port]
    except (psutil.Error, OSError):  # AccessDenied on macOS without root; /proc hidden
        return None
    if not listening:
        return None
    pid = next((c.pid for c in listening if c.pid), None)
    if pid is None:
        return PortHolder(None, None)
    return PortHolder(pid, _command(psutil, pid))


def _command(psutil, pid: int) -> str | None:
    try:
        proc = psutil.Process(pid)
        words = proc.cmdline() or [proc.name()]
    except (psutil.Error, OSError):  # gone since, or a zombie
        return None
    import shlex

    text = shlex.join(words)
    return text if len(text) <= COMMAND_MAX else text[: COMMAND_MAX - 1] + "…"
