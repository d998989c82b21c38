"""One lifecycle command at a time per data dir: an `flock` on a file in it.

`up` asks "is supervisord running?" and starts one when it is not; `down` asks the same and
stops it. Two such commands at once each saw "not running" and each started a daemon: one of
the two lost its socket to the other and could be neither reached nor stopped. Holding this lock
from the question through "started and answering" makes the second command see the first one's
daemon. The kernel drops the lock when its holder dies, so a killed command never wedges the next.
"""

from __future__ import annotations

import errno
import fcntl
import os
import time
from pathlib import Path

from platform_cli.errors import DaemonBusyError
from platform_cli.procman.atomicfile import private_dirs
from platform_cli.procman.datadir import data_dir_error

LOCK_NAME = "platform.lock"
WAIT_S = 600.0  # an `up` holds it while its processes become ready: minutes at most


class DataDirLock:
    def __init__(self, data_dir: Path, wait_s: float = WAIT_S, poll_s: float = 0.02):
        self.data_dir = data_dir
        self.path = data_dir / LOCK_NAME
        self.wait_s = wait_s
        self.poll_s = poll_s
        self._fd: int | None = None

    def __enter__(self) -> DataDirLock:
        self._fd = self._open()
        if self._fd is None:
            return self  # a read-only data dir without a lock file: nothing can start a daemon there
        deadline = time.monotonic() + self.wait_s
        while True:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    self._close()
                    raise DaemonBusyError(
                        f"another platform command has held {self.path} for {self.wait_s:g}s",
                        hint="wait for it to finish, then try again",
                    ) from None
                time.sleep(self.poll_s)
        return self

    def __exit__(self, *exc) -> None:
        self._close()

    def _open(self) -> int | None:
        try:
            private_dirs(self.data_dir)  # the lock may come first: the data dir is 0700 from the start
            return os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except OSError as exc:
            if exc.errno not in (errno.EROFS, errno.EACCES):
                raise data_dir_error(exc, self.data_dir) from None
        try:  # flock works on a descriptor opened for reading, too
            return os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise data_dir_error(exc, self.data_dir) from None

    def _close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the last descriptor releases the lock
            self._fd = None
