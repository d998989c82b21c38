"""Starting, finding and stopping the supervisord of one data dir, and cleaning up after a dead one."""

from __future__ import annotations

import os
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from platform_cli.errors import ConfigError, DaemonBusyError, DaemonDownError, PlatformError
from platform_cli.procman import prestart, proctable
from platform_cli.procman.atomicfile import private_dirs, write_atomic
from platform_cli.procman.datadir import writing
from platform_cli.procman.lock import DataDirLock
from platform_cli.procman.logtail import tail
from platform_cli.procman.pids import PidRecord, alive
from platform_cli.procman.supervisor import SupervisorClient

CONF_NAME = "supervisord.conf"
# sockaddr_un holds 108 bytes including the terminating NUL.
MAX_SOCKET_PATH = 107
# supervisord first binds `<socket>.<its pid>` and then hard-links that to the socket's name
# (supervisor/http.py, supervisor_af_unix_http_server): the temporary name, longer by a dot and
# the pid, must fit as well. Pids stay below /proc/sys/kernel/pid_max; 2**22 is Linux's ceiling.
PID_MAX_LIMIT = 1 << 22


def socket_path_fits(path: Path, pid_max: int) -> bool:
    """Whether supervisord can bind `path` and the temporary `<path>.<pid>` beside it, for any
    pid below pid_max (bytes, as the kernel counts them: a non-ASCII folder name takes more)."""
    return len(os.fsencode(path)) + len(f".{pid_max - 1}") <= MAX_SOCKET_PATH


def read_pid_max() -> int:
    try:
        return int(Path("/proc/sys/kernel/pid_max").read_text())
    except (OSError, ValueError):
        return PID_MAX_LIMIT


@dataclass
class Cleanup:
    """What was found and done after a supervisord that died without cleaning up."""

    orphans: list[tuple[int, str]] = field(default_factory=list)  # (pid, process name)
    removed: list[str] = field(default_factory=list)  # stale files

    def __bool__(self) -> bool:
        return bool(self.orphans or self.removed)

    def describe(self) -> str:
        parts = []
        if self.orphans:
            who = ", ".join(f"{name} (pid {pid})" for pid, name in self.orphans)
            parts.append(f"stopped {len(self.orphans)} orphaned process{'es' if len(self.orphans) != 1 else ''}: {who}")
        if self.removed:
            parts.append(f"removed stale {' and '.join(self.removed)}")
        return "; ".join(parts)


class Daemon:
    """The supervisord for `data_dir`, configured by the supervisord.conf beside the Procfile."""

    def __init__(self, data_dir: Path, project_dir: Path):
        self.data_dir = data_dir
        self.project_dir = project_dir
        self.run_dir = data_dir / "supervisor"
        self.socket_path = self.run_dir / "supervisord.sock"
        self.pid_path = self.run_dir / "supervisord.pid"
        self.programs_path = self.run_dir / "programs.conf"
        self.scripts_dir = self.run_dir / "programs"
        self.log_path = data_dir / "logs" / "supervisord.log"

    @property
    def conf_path(self) -> Path:
        """The project's own supervisord.conf when it has one, else the one platform ships."""
        own = self.project_dir / CONF_NAME
        return own if own.exists() else Path(__file__).with_name(CONF_NAME)

    def client(self, timeout: float = 10.0) -> SupervisorClient:
        return SupervisorClient(self.socket_path, timeout)

    def prepare_dirs(self, pid_max: int | None = None) -> None:
        """pid_max: the kernel's (read from /proc when not given)."""
        if not socket_path_fits(self.socket_path, pid_max or read_pid_max()):
            raise ConfigError(
                f"the data dir path is too long for supervisord's unix socket ({self.socket_path})",
                hint="use a shorter --data-dir",
            )
        # 0700, the data dir first: logs, records, the control socket and the rendered environment
        # are no other local user's to read.
        with writing(self.data_dir):
            private_dirs(self.data_dir, self.run_dir, self.scripts_dir, self.data_dir / "logs")

    def lock(self) -> DataDirLock:
        """Held by a lifecycle command from "is supervisord running?" until it has acted on the answer."""
        return DataDirLock(self.data_dir)

    def write_programs(self, conf: str, scripts: dict[str, str]) -> None:
        """programs.conf and the launch scripts it names (0600: they hold the .env values).
        Not durable (no fsync): every `up` renders them again, and before starting supervisord,
        where each fsync delayed the cold start."""
        with writing(self.data_dir):
            for name, text in scripts.items():
                if _read(self.scripts_dir / name) != text:  # a long Procfile: rewrite only what changed
                    write_atomic(self.scripts_dir / name, text, durable=False)
            write_atomic(self.programs_path, conf, durable=False)

    def prune_scripts(self, keep: set[str]) -> None:
        """Remove the launch scripts of an older config, once supervisord has loaded the new one
        (until then a process restarting by itself still runs its old script)."""
        with writing(self.data_dir):
            for old in self.scripts_dir.glob("*.sh"):
                if old.name not in keep:
                    old.unlink(missing_ok=True)

    def is_running(self) -> bool:
        """True when supervisord answers; False when there is none. One that is there but busy or
        shutting down raises DaemonBusyError: it must not be taken for dead and replaced."""
        try:
            self.client(timeout=5).state()
        except DaemonBusyError:
            raise
        except DaemonDownError:
            return False
        return True

    def recorded_pid(self) -> int | None:
        try:
            return int(self.pid_path.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None

    def start(self, backoff_cap: float | None = None, deadline_s: float = 15.0, boot: list[str] = ()) -> int:
        """Start supervisord (it daemonizes itself) and wait until it answers; returns its pid.
        boot: programs it spawns as it starts, before any RPC (daemon_entry, change 11)."""
        import subprocess
        import tempfile

        env = {**os.environ, "PLATFORM_DATA_DIR": str(self.data_dir), "PLATFORM_PYTHON": sys.executable}
        env.pop("PLATFORM_BOOT_START", None)
        if boot:
            env["PLATFORM_BOOT_START"] = ",".join(boot)
        if backoff_cap is not None:
            env["PLATFORM_BACKOFF_CAP"] = str(backoff_cap)
        args = ["-c", str(self.conf_path)]
        waiting = prestart.take()  # already imported while `up` read the project (prestart.py)
        if waiting is not None:
            with waiting.errors as errors:
                returncode = prestart.go(waiting, args, env, str(self.project_dir))
                errors.seek(0)
                message = errors.read().decode(errors="replace").strip()
        else:
            # Errors in the config are printed before supervisord forks: keep them, but never hold
            # a pipe the daemon could inherit.
            with tempfile.TemporaryFile() as errors:
                returncode = subprocess.run(
                    [sys.executable, *prestart.INTERPRETER, *args],
                    env=env,
                    cwd=self.project_dir,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=errors,
                    # supervisord opens its own log before it applies `umask=077` from its config.
                    umask=0o077,
                ).returncode
                errors.seek(0)
                message = errors.read().decode(errors="replace").strip()
        if returncode != 0:
            # The whole message: supervisord ends it with "For help, use ... -h", which hides the cause.
            lines = [line for line in message.splitlines() if line.strip() and not line.startswith("For help, use")]
            cause = next((line for line in lines if line.startswith("Error:")), lines[-1] if lines else "no message")
            raise PlatformError(
                f"supervisord did not start (exit {returncode}): {cause.removeprefix('Error:').strip()}",
                details=[*(line for line in lines if line != cause),
                         *(line.decode("utf-8", "replace") for line in tail(self.log_path, 10))],
            )
        client = self.client(timeout=2)
        deadline = time.monotonic() + deadline_s
        while time.monotonic() < deadline:
            try:
                if client.state() == "RUNNING":
                    return client.pid()
            except DaemonDownError:
                pass
            time.sleep(0.02)
        raise PlatformError(
            f"supervisord did not answer within {deadline_s:g}s",
            details=[line.decode("utf-8", "replace") for line in tail(self.log_path, 10)],
        )

    def stop(self, deadline_s: float) -> int | None:
        """Ask supervisord to stop every program and exit; wait for it. Returns its pid."""
        client = self.client()
        pid = client.pid()
        client.shutdown()
        if not wait_gone([pid], deadline_s):
            os.kill(pid, signal.SIGKILL)
            wait_gone([pid], 5)
        return pid

    def adopted(self, daemon_pid: int, besides: set[int]) -> list[tuple[int, str]]:
        """Processes supervisord adopted as a subreaper (see daemon_entry), with their descendants:
        every child of it but `besides` (its programs, its event listener). (pid, name)."""
        found = []
        for child in proctable.children(daemon_pid):
            if child not in besides:
                found += [(pid, name) for pid in (child, *proctable.descendants(child)) if (name := proctable.name(pid))]
        return found

    def clean_up_after_crash(self) -> Cleanup:
        """With no daemon answering: stop the processes it left behind and remove its stale files."""
        cleanup = Cleanup()
        stale = set(find_daemons(self.data_dir))
        stale_pid = self.recorded_pid()
        if stale_pid and alive(stale_pid) and "daemon_entry" in _cmdline(stale_pid):
            stale.add(stale_pid)
        # Ours, alive, but not answering on its socket: it cannot be steered, so end it.
        for pid in stale:
            _kill(pid, signal.SIGKILL)
        wait_gone(list(stale), 5)
        # Reading every process's environment costs tens of ms before a cold `up`: skipped when no
        # supervisord of this data dir has spawned anything since the last clean `down` (no record).
        cleanup.orphans = find_orphans(self.data_dir) if PidRecord(self.run_dir).exists() or stale else []
        terminate([pid for pid, _ in cleanup.orphans])
        for path, what in ((self.socket_path, "socket"), (self.pid_path, "pid file")):
            if path.exists():
                with writing(self.data_dir):
                    path.unlink(missing_ok=True)
                cleanup.removed.append(what)
        return cleanup


def find_orphans(data_dir: Path) -> list[tuple[int, str]]:
    """Live processes that this data dir's supervisord started: (pid, name).

    The daemon's own pid record finds every program it spawned; the environment it gave them
    (PLATFORM_DATA_DIR, PLATFORM_PROCESS) also finds their children that left the process group.
    """
    return find_leftovers(data_dir)[0]


def find_daemons(data_dir: Path, besides: int | None = None) -> list[int]:
    """Live supervisords started for `data_dir` (other than `besides`), found by the environment
    `Daemon.start` gives them: also one that lost its socket to another and answers nowhere."""
    return [pid for pid in find_leftovers(data_dir)[1] if pid != besides]


def find_leftovers(data_dir: Path) -> tuple[list[tuple[int, str]], list[int]]:
    """find_orphans and find_daemons from one look at every process of the machine."""
    found = {pid: name for name, pid in PidRecord(data_dir / "supervisor").live().items()}
    daemons = []
    me = os.getpid()
    for pid in proctable.pids():
        if pid == me or not proctable.has_env(pid, "PLATFORM_DATA_DIR", str(data_dir)):
            continue
        if any(b"daemon_entry" in part for part in proctable.read(pid, "cmdline").split(b"\0")):
            if not prestart.waiting(pid):  # an `up`'s interpreter, not yet told to start: nothing to clean
                daemons.append(pid)
        if pid not in found and (name := proctable.environ(pid).get("PLATFORM_PROCESS")):
            found[pid] = name
    return sorted(found.items()), daemons


def terminate(pids: list[int], grace_s: float = 5.0) -> None:
    """SIGTERM each process's group (supervisord made each program a group leader), then SIGKILL."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids:
            _signal_group(pid, sig)
        if wait_gone(pids, grace_s):
            return


def wait_gone(pids: list[int], deadline_s: float) -> bool:
    """Until none of `pids` is alive (True) or `deadline_s` has passed (False). Looked at after
    2, 4, 8, 16 ms and then every 20 ms: a process usually exits within a few ms of its signal."""
    deadline = time.monotonic() + deadline_s
    interval = 0.002
    while any(alive(p) for p in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(interval)
        interval = min(interval * 2, 0.02)
    return True


def _signal_group(pid: int, sig: int) -> None:
    try:
        if os.getpgid(pid) == pid:
            os.killpg(pid, sig)
        else:
            os.kill(pid, sig)
    except ProcessLookupError:
        pass


def _read(path: Path) -> str | None:
    try:
        return path.read_text()
    except (OSError, UnicodeDecodeError):
        return None


def _kill(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""
