"""The daemon and the CLI on a data dir that fills up or turns read-only.

The whole platform (CLI, supervisord, its programs) runs in user, mount and pid namespaces of its
own (`unshare`), its data dir a small tmpfs: a real filesystem that really fills (ENOSPC) and
really turns read-only (EROFS), with no root on the host. Every `platform` command enters those
namespaces with `nsenter`; when the test ends, killing the namespace's first process ends every
process in it (--kill-child), so nothing outlives the test.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from platform_cli.errors import ExitCode
from tests.helpers import die_with_parent, wait_until

UNSHARE = ["unshare", "--user", "--map-root-user", "--mount", "--pid", "--fork", "--kill-child", "--mount-proc"]


def _namespaces_work() -> bool:
    probe = 'd=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs "$d" && mount -o remount,ro "$d" && umount "$d" && rmdir "$d"'
    try:
        return (subprocess.run([*UNSHARE, "sh", "-c", probe], capture_output=True, timeout=10).returncode == 0
                and subprocess.run(["nsenter", "--help"], capture_output=True, timeout=10).returncode == 0)
    except (OSError, subprocess.TimeoutExpired):
        return False


pytestmark = pytest.mark.skipif(not _namespaces_work(), reason="needs user, mount and pid namespaces (unshare, nsenter)")


class Cramped:
    """A temp project whose data dir is a tmpfs of `size`, in namespaces of its own."""

    def __init__(self, root: Path, size: str = "2m"):
        self.root, self.data = root, root / "data"
        self.data.mkdir()
        script = f'mount -t tmpfs -o size={size},mode=0700 tmpfs "{self.data}" && echo ready && exec sleep infinity'
        self.holder = subprocess.Popen([*UNSHARE, "sh", "-c", script], stdout=subprocess.PIPE, text=True,
                                       preexec_fn=die_with_parent)
        assert self.holder.stdout.readline().strip() == "ready"
        # The namespace's first process (pid 1 inside): what nsenter enters, and what ends them all.
        self.init = int(Path(f"/proc/{self.holder.pid}/task/{self.holder.pid}/children").read_text().split()[0])
        self.seen = Path(f"/proc/{self.init}/root") / self.data.relative_to("/")

    def enter(self, *command: str, timeout: float = 60) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PLATFORM_")}
        return subprocess.run(["nsenter", "-t", str(self.init), "--user", "--mount", "--pid", "--preserve-credentials",
                               f"--wd={self.root}", *command], env=env, capture_output=True, text=True, timeout=timeout)

    def run(self, *args: str) -> subprocess.CompletedProcess:
        return self.enter(sys.executable, "-m", "platform_cli", *args)

    def ok(self, *args: str) -> subprocess.CompletedProcess:
        result = self.run(*args)
        assert result.returncode == 0, f"platform {' '.join(args)} exited {result.returncode}\n{result.stdout}\n{result.stderr}"
        return result

    def status(self) -> tuple[dict[str, dict], str]:
        result = self.run("status", "--json")
        assert result.returncode in (0, 3), result.stderr
        return {row["name"]: row for row in json.loads(result.stdout)}, result.stderr

    def daemon_pid(self) -> int:
        return int((self.seen / "supervisor" / "supervisord.pid").read_text())

    def kill(self, pid: int) -> None:  # a pid as the namespace sees it
        subprocess.run(["nsenter", "-t", str(self.init), "--user", "--pid", "--preserve-credentials", "kill", "-9", str(pid)],
                       check=True, timeout=10)

    def fill(self) -> None:
        with open(self.seen / "ballast", "wb", buffering=0) as ballast:
            try:
                while True:
                    ballast.write(b"\0" * 65536)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC, exc

    def free(self) -> None:
        (self.seen / "ballast").unlink()

    def remount(self, mode: str) -> None:
        self.enter("mount", "-o", f"remount,{mode}", str(self.data)).check_returncode()

    def close(self) -> None:
        self.holder.kill()  # --kill-child: the namespace's pid 1 goes, and every process in it with it
        self.holder.wait(20)
        wait_until(lambda: not Path(f"/proc/{self.init}").exists(), 10, what="the namespace gone")


@pytest.fixture
def cramped(tmp_path):
    made: list[Cramped] = []

    def make(processes: dict[str, str], size: str = "2m") -> Cramped:
        (tmp_path / "Procfile").write_text("".join(f"{n}: {c}\n" for n, c in processes.items()))
        made.append(Cramped(tmp_path, size))
        return made[-1]

    yield make
    for project in made:
        project.close()


def _restarted(project: Cramped, name: str, old_pid: int) -> dict:
    """Kill `name` and wait until supervisord has started it again; its new status row."""
    project.kill(old_pid)
    return wait_until(lambda: (row := project.status()[0][name])["state"] == "RUNNING" and row["pid"] not in (None, old_pid) and row,
                      15, what=f"{name} restarted")


def test_a_full_data_dir_never_kills_the_daemon(cramped):
    # Only a full disk: the kernel refuses to remount a filesystem read-only while supervisord
    # holds log files open on it for writing (EBUSY), so EROFS under a running daemon cannot be
    # made here; the daemon's writes treat both alike (OSError), and the CLI's EROFS case is below.
    trouble = "full"
    project = cramped({"sleeper": "sleep 1000", "other": "sleep 1000"})
    project.ok("up")
    daemon = project.daemon_pid()
    rows, warning = project.status()
    assert warning == ""
    project.fill()

    # Each restart spawns, and each spawn writes the pid record: it used to kill supervisord.
    pid = rows["sleeper"]["pid"]
    for _ in range(2):
        pid = _restarted(project, "sleeper", pid)["pid"]
    rows, warning = project.status()
    assert rows["other"]["state"] == "RUNNING", "the others are still supervised"
    assert project.daemon_pid() == daemon
    assert f"warning: the data dir {project.data} is {trouble}" in warning

    project.free()
    assert project.status()[1] == "", "space is back: no warning"
    pid = _restarted(project, "sleeper", pid)["pid"]
    recorded = json.loads((project.seen / "supervisor" / "pids.json").read_text())
    assert recorded["sleeper"][0] == pid, "the pid record is written again"
    assert "stopped 2 processes" in project.ok("down").stdout


@pytest.mark.parametrize("trouble, cause", [("full", "no space left on device"), ("read-only", "read-only file system")])
def test_up_on_a_full_or_read_only_data_dir_is_one_error_naming_it(cramped, trouble, cause):
    project = cramped({"sleeper": "sleep 1000"})
    project.fill() if trouble == "full" else project.remount("ro")
    result = project.run("up")
    assert result.returncode == ExitCode.DATA_DIR, result.stderr
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"error: cannot write the data dir {project.data}: {cause}"), result.stderr
    assert len(lines) == 2 and lines[1].startswith("hint: ") and "internal error" not in result.stderr


def test_up_beside_a_running_daemon_on_a_full_data_dir_is_one_error_and_the_daemon_goes_on(cramped):
    project = cramped({"sleeper": "sleep 1000"})
    project.ok("up")
    project.fill()
    (project.root / "Procfile").write_text("sleeper: sleep 1000\nsecond: sleep 1000\n")
    result = project.run("up")
    assert result.returncode == ExitCode.DATA_DIR and "no space left on device" in result.stderr, result.stderr
    assert project.status()[0]["sleeper"]["state"] == "RUNNING"
    assert not [p for p in (project.seen / "supervisor").rglob("*.tmp")], "a failed write leaves no temp file holding space"
