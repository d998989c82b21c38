"""The XML-RPC client for supervisord, over its unix socket.

Transport failures and supervisor fault codes become PlatformErrors here and nowhere else.
"""

from __future__ import annotations

import socket
import xmlrpc.client
from dataclasses import dataclass
from pathlib import Path

from platform_cli.errors import DaemonBusyError, DaemonDownError, NotReadyError, PlatformError
from platform_cli.procman.states import BACKOFF, LISTENER, STOPPABLE

# supervisor.xmlrpc.Faults, by number: importing supervisor for the names alone costs time.
BAD_NAME, SPAWN_ERROR, ALREADY_STARTED, NOT_RUNNING, ALREADY_ADDED = 10, 50, 60, 70, 90
SHUTDOWN_STATE = 6
STOP_BUDGET_S = 120  # a group stop waits out each process's stop timeout


@dataclass(frozen=True)
class ProcessInfo:
    """One program as supervisord sees it."""

    name: str
    state: str
    pid: int | None
    started_at: float | None
    now: float
    exit_status: int | None
    spawn_error: str
    description: str

    @classmethod
    def from_rpc(cls, info: dict) -> ProcessInfo:
        return cls(
            name=info["name"],
            state=info["statename"],
            pid=info["pid"] or None,
            started_at=info["start"] or None,
            now=info["now"],
            exit_status=info["exitstatus"] if info["statename"] in ("EXITED", "FATAL", "BACKOFF") else None,
            spawn_error=info.get("spawnerr") or "",
            description=info.get("description") or "",
        )

    @property
    def uptime(self) -> float | None:
        if self.pid and self.started_at:
            return max(0.0, self.now - self.started_at)
        return None


class SupervisorClient:
    def __init__(self, socket_path: Path, timeout: float = 10.0):
        self.socket_path = socket_path
        self.timeout = timeout
        self._proxy = self._system = None
        self._proxy_timeout = None

    # -- queries -------------------------------------------------------------------------------

    def state(self) -> str:
        return self._call("getState")["statename"]

    def pid(self) -> int:
        return self._call("getPID")

    def processes(self) -> list[ProcessInfo]:
        """Every program (but an event listener an older supervisord.conf may still run)."""
        return [ProcessInfo.from_rpc(i) for i in self._call("getAllProcessInfo") if i["group"] != LISTENER]

    def process(self, name: str) -> ProcessInfo:
        return ProcessInfo.from_rpc(self._call("getProcessInfo", name))

    def infos(self, names: list[str]) -> dict[str, ProcessInfo]:
        """Name -> ProcessInfo of each named program supervisord knows, in one round-trip: with a
        long Procfile, far cheaper than every program's (the reply's size is what costs)."""
        results = self._multicall([("getProcessInfo", (name,)) for name in names])
        return {name: ProcessInfo.from_rpc(r) for name, r in zip(names, results, strict=True) if isinstance(r, dict) and "statename" in r}

    def states(self, names: list[str]) -> dict[str, str]:
        """Name -> state of each named program supervisord knows, in one round-trip."""
        return {name: info.state for name, info in self.infos(names).items()}

    # -- control -------------------------------------------------------------------------------

    def start(self, name: str) -> None:
        """Ask supervisord to spawn `name`; readiness is the caller's to wait for.

        A process waiting out its backoff after crashes is started at once (someone asking has
        likely fixed the cause). A process that dies before supervisord's reply is no fault here:
        its exit shows in its state, the same as one that dies a moment later.
        """
        try:
            self._call("startProcess", name, False, tolerate=(SPAWN_ERROR,))
        except AlreadyStartedError:
            if self.process(name).state == BACKOFF:
                self._call("stopProcess", name, False, tolerate=(NOT_RUNNING,))
                self._call("startProcess", name, False, tolerate=(ALREADY_STARTED, SPAWN_ERROR))

    def start_many(self, names: list[str]) -> None:
        """start() of each, in one round-trip: supervisord spawns them one after another, in this
        order, in one turn of its loop (`up` or `start --all` of a Procfile, one RPC, not one
        each). One already started goes through start() on its own (a backoff is cut short)."""
        if len(names) == 1:
            self.start(names[0])
            return
        results = self._checked(self._multicall([("startProcess", (name, False)) for name in names]), names,
                                (SPAWN_ERROR, ALREADY_STARTED))
        for name, result in zip(names, results, strict=True):
            if isinstance(result, dict) and result.get("faultCode") == ALREADY_STARTED:
                self.start(name)

    def stop_nowait(self, names: list[str]) -> None:
        """Ask supervisord to stop every named program at once (one round-trip); do not wait."""
        self._checked(self._multicall([("stopProcess", (name, False)) for name in names]), names, (NOT_RUNNING, BAD_NAME))

    @staticmethod
    def _checked(results: list, names: list[str], tolerate: tuple[int, ...]) -> list:
        """A multicall's results, its first fault not in `tolerate` raised as the PlatformError it means."""
        for name, result in zip(names, results, strict=True):
            if isinstance(result, dict) and "faultCode" in result and result["faultCode"] not in tolerate:
                raise _fault_error(xmlrpc.client.Fault(result["faultCode"], result.get("faultString", "")), (name,))
        return results

    def reload(self) -> tuple[list[str], list[str], list[str]]:
        """Re-read the config, like `supervisorctl reread`: (added, changed, removed), applied by
        the caller, one program at a time, with add / replace / remove."""
        [[added, changed, removed]] = self._call("reloadConfig")
        return added, changed, removed

    def add(self, names: list[str]) -> None:
        """Load the named programs' sections: one round-trip, not one per program (a 5,000-line
        Procfile adds 5,000 groups, each round-trip a turn of supervisord's main loop)."""
        self._checked(self._multicall([("addProcessGroup", (n,)) for n in names]), names, (ALREADY_ADDED,))

    def remove(self, names: list[str]) -> None:
        """Stop the named programs (waiting for each that runs) and forget them, in one round-trip."""
        for name, state in self.states(names).items():
            if state in STOPPABLE:
                self._call("stopProcessGroup", name, True, tolerate=(NOT_RUNNING, BAD_NAME), timeout=STOP_BUDGET_S)
        self._checked(self._multicall([("removeProcessGroup", (n,)) for n in names]), names, (BAD_NAME,))

    def replace(self, names: list[str]) -> None:
        """Stop the programs and load their new config (they stay stopped until started)."""
        self.remove(names)
        self.add(names)

    def shutdown(self) -> None:
        self._call("shutdown", tolerate=(SHUTDOWN_STATE,))

    # -- transport -----------------------------------------------------------------------------

    def _call(self, method: str, *args, tolerate: tuple[int, ...] = (), timeout: float | None = None):
        return self._call_on(None, method, *args, tolerate=tolerate, timeout=timeout)

    def _call_on(self, proxy, method: str, *args, tolerate: tuple[int, ...] = (), timeout: float | None = None):
        try:
            return getattr(proxy or self._server(timeout or self.timeout), method)(*args)
        except xmlrpc.client.Fault as fault:
            if fault.faultCode in tolerate:
                return None
            raise _fault_error(fault, args) from None
        except (FileNotFoundError, ConnectionRefusedError):
            raise DaemonDownError(
                f"supervisord is not running (no answer on {self.socket_path})",
                hint="start it with `platform up`",
            ) from None
        except (socket.timeout, TimeoutError):
            raise DaemonBusyError(f"supervisord did not answer within {timeout or self.timeout:g}s on {self.socket_path}") from None
        except (OSError, xmlrpc.client.ProtocolError) as exc:
            raise DaemonDownError(f"cannot talk to supervisord on {self.socket_path}: {exc}") from None

    def _multicall(self, calls: list[tuple[str, tuple]]) -> list:
        """system.multicall: a list of results, a fault as a {faultCode, faultString} dict."""
        if not calls:
            return []
        batch = [{"methodName": f"supervisor.{method}", "params": list(args)} for method, args in calls]
        self._server(self.timeout)
        return self._call_on(self._system, "multicall", batch)

    def _server(self, timeout: float):
        if self._proxy is None or self._proxy_timeout != timeout:
            transport = UnixTransport(str(self.socket_path), timeout)
            server = xmlrpc.client.ServerProxy("http://localhost", transport=transport)
            self._proxy, self._system = server.supervisor, server.system
            self._proxy_timeout = timeout
        return self._proxy


class UnixTransport(xmlrpc.client.Transport):
    """XML-RPC over supervisord's unix socket, with a timeout.

    supervisor.xmlrpc.SupervisorTransport does this too, but it has no timeout (a hung daemon
    would hang the CLI) and importing it costs ~60 ms (medusa, importlib.metadata) that every
    `platform status` would pay.
    """

    def __init__(self, path: str, timeout: float):
        super().__init__()
        self.path = path
        self.timeout = timeout

    def make_connection(self, host):
        import http.client

        path, timeout = self.path, self.timeout

        class UnixConnection(http.client.HTTPConnection):
            def connect(self):
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.settimeout(timeout)
                self.sock.connect(path)

        return UnixConnection("localhost", timeout=timeout)


class AlreadyStartedError(PlatformError):
    """startProcess on a process supervisord counts as started (STARTING, RUNNING, BACKOFF)."""


def _fault_error(fault: xmlrpc.client.Fault, args: tuple) -> PlatformError:
    name = args[0] if args and isinstance(args[0], str) else "?"
    if fault.faultCode == ALREADY_STARTED:
        return AlreadyStartedError(f"{name} is already started")
    if fault.faultCode == SPAWN_ERROR:
        return NotReadyError(f"{name}: supervisord could not spawn it ({fault.faultString})")
    if fault.faultCode == BAD_NAME:
        return PlatformError(f"supervisord does not know {name!r}", hint="run `platform up` to load the Procfile")
    if fault.faultCode == SHUTDOWN_STATE:
        return DaemonBusyError("supervisord is shutting down", hint="wait for it, then run `platform up`")
    return PlatformError(f"supervisord refused: {fault.faultString}")
