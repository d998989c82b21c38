"""The data dir's length against the unix socket supervisord binds, and the temporary name
`<socket>.<pid>` it binds first (supervisor/http.py): both must fit sockaddr_un's 108 bytes."""

from __future__ import annotations

import inspect
import os
import shutil
import socket
import tempfile
from pathlib import Path

import pytest
from supervisor import http

from platform_cli.errors import ConfigError, ExitCode
from platform_cli.procman.daemon import MAX_SOCKET_PATH, Daemon, read_pid_max
from tests.unit.upstream import expect

PID_MAX = 4194304  # the largest a 64-bit Linux allows: pids up to 4194303, seven digits
SOCKET_TAIL = len("/supervisor/supervisord.sock")


@pytest.fixture
def short_root():
    """A short folder (/tmp/xxxxxxxx): pytest's tmp_path alone may leave no room to reach the limit."""
    root = Path(tempfile.mkdtemp(prefix="s", dir="/tmp"))
    yield root
    shutil.rmtree(root)


def data_dir_of(root: Path, socket_bytes: int) -> Path:
    """A data dir under `root` whose socket path is exactly `socket_bytes` long."""
    name = "d" * (socket_bytes - SOCKET_TAIL - len(os.fsencode(root)) - 1)
    return root / name


def test_the_longest_data_dir_that_fits_with_the_temporary_name_passes_and_one_byte_more_is_refused(short_root):
    longest = MAX_SOCKET_PATH - len(f".{PID_MAX - 1}")  # 99 bytes: the temporary name is then 107
    fits = Daemon(data_dir_of(short_root, longest), short_root)
    fits.prepare_dirs(pid_max=PID_MAX)
    assert fits.run_dir.is_dir()
    # What supervisord will bind first really binds, at the largest pid: the check is not too strict.
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(f"{fits.socket_path}.{PID_MAX - 1}")
    over = Daemon(data_dir_of(short_root, longest + 1), short_root)
    with pytest.raises(ConfigError) as refused:
        over.prepare_dirs(pid_max=PID_MAX)
    # As before: one `error:` line naming the socket, a hint, exit 6 (app.main prints them).
    assert refused.value.message == f"the data dir path is too long for supervisord's unix socket ({over.socket_path})"
    assert refused.value.hint == "use a shorter --data-dir" and refused.value.exit_code == ExitCode.CONFIG
    assert not over.data_dir.exists()  # refused before anything is made
    # ... and the temporary name one byte longer would not have bound: the check is not too lax.
    over.run_dir.mkdir(parents=True)
    with socket.socket(socket.AF_UNIX) as sock, pytest.raises(OSError):
        sock.bind(f"{over.socket_path}.{PID_MAX - 1}")


def test_the_room_left_for_the_pid_follows_the_kernels_pid_max(short_root):
    # With pid_max 32768 the pid has five digits: a socket path of 101 bytes still fits.
    Daemon(data_dir_of(short_root, MAX_SOCKET_PATH - len(".32767")), short_root).prepare_dirs(pid_max=32768)
    with pytest.raises(ConfigError):
        Daemon(data_dir_of(short_root, MAX_SOCKET_PATH - len(".32767") + 1), short_root).prepare_dirs(pid_max=32768)
    assert read_pid_max() == int(Path("/proc/sys/kernel/pid_max").read_text())


def test_a_non_ascii_folder_is_counted_in_bytes(short_root):
    longest = MAX_SOCKET_PATH - len(f".{PID_MAX - 1}")
    ascii_dir = data_dir_of(short_root, longest)
    # As many characters, but "é" is two bytes: one byte too long.
    with pytest.raises(ConfigError):
        Daemon(ascii_dir.with_name("é" + ascii_dir.name[1:]), short_root).prepare_dirs(pid_max=PID_MAX)


def test_supervisord_still_binds_a_temporary_name_of_socket_dot_pid_first():
    source = inspect.getsource(http.supervisor_af_unix_http_server.__init__)
    expect("http.supervisor_af_unix_http_server.__init__", 'tempname = "%s.%d" % (socketname, os.getpid())' in source,
           "its temporary socket name is no longer <socket>.<pid>: Daemon.prepare_dirs's length check counts on it")
