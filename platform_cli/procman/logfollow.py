"""Following log files as they grow: across restarts, rotation, and processes that start later.

One mechanism serves `platform logs -f` and `platform run`. It also follows the event history,
whose starts, exits and stops come out as lifecycle lines (lifecycle.py) among the output. Each file is read through an open
descriptor. When rotation renames it, the descriptor still reads the old inode to its end; then
any newer rotated copies, then the new file. So a line written just before a rotation is not
lost, even when several rotations happen between two polls.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from typing import NamedTuple

from platform_cli.procman import lifecycle
from platform_cli.procman.logfiles import STREAMS, name_of, rotated, stamp_at

READ_CHUNK = 1 << 22  # per file and poll: a burst is read in big pieces
PARTIAL_AFTER_S = 0.5  # a line still unfinished this long is shown as it is


class Chunk(NamedTuple):
    """New complete lines of one log file, raw: `logtail.with_stamps` makes LogLines of them.

    Kept as the bytes read, not split into lines: a burst's 200,000 lines are formatted a
    chunk at a time (log_view), and splitting them only to join them again costs a pass.
    """

    name: str
    stream: str
    data: bytes  # whole lines, each ending with a newline
    previous_stamp: bytes  # for lines at the start that carry no stamp of their own

    @property
    def lines(self) -> list[bytes]:
        return self.data[:-1].split(b"\n")

    @classmethod
    def of_lines(cls, name: str, stream: str, lines: list[bytes], previous_stamp: bytes = b"") -> Chunk:
        return cls(name, stream, b"".join(line + b"\n" for line in lines), previous_stamp)


class FileFollower:
    def __init__(self, path: Path, name: str, stream: str, from_end: bool):
        self.path, self.name, self.stream = path, name, stream
        self.fd: int | None = None
        self.inode: int | None = None
        self.pending = b""  # the start of a line whose newline has not arrived
        self.pending_since = 0.0
        self.last_stamp = b""
        self.start_offset = 0  # where following began: `platform logs -f` prints what is before it
        self._open(from_end)

    def poll(self, now: float) -> Chunk | None:
        if self.fd is None and not self._open(from_end=False):
            return None
        data = self._read_all()
        try:
            current = os.stat(self.path).st_ino
        except FileNotFoundError:
            current = None
        if current != self.inode:
            # Rotated: this descriptor holds the old file; read it to its very end (it may have
            # grown since the read above). Newer rotated copies (several rotations since the
            # last poll) come next, then the new file.
            data += self._read_all()
            for newer in self._newer_rotations():
                try:
                    data += newer.read_bytes()
                except FileNotFoundError:  # rotated away again meanwhile: too far behind to keep up
                    pass
            os.close(self.fd)
            self.fd = None
            if self._open(from_end=False):
                data += self._read_all()
        elif os.fstat(self.fd).st_size < os.lseek(self.fd, 0, os.SEEK_CUR):
            os.lseek(self.fd, 0, os.SEEK_SET)  # truncated in place (rotation with no backups)
            data += self._read_all()
        return self._lines(data, now)

    def _open(self, from_end: bool) -> bool:
        try:
            self.fd = os.open(self.path, os.O_RDONLY)
        except FileNotFoundError:
            return False
        self.inode = os.fstat(self.fd).st_ino
        if from_end:
            self.start_offset = os.lseek(self.fd, 0, os.SEEK_END)
        return True

    def _read_all(self) -> bytes:
        parts = []
        while True:
            chunk = os.read(self.fd, READ_CHUNK)
            if not chunk:
                return b"".join(parts)
            parts.append(chunk)

    def _newer_rotations(self) -> list[Path]:
        copies, inodes = [], []
        for copy in rotated(self.path):
            try:
                inodes.append(copy.stat().st_ino)
                copies.append(copy)
            except FileNotFoundError:  # supervisor removes, then renames: a copy may vanish for a moment
                continue
        if self.inode not in inodes:
            return []  # removed already, or truncated in place
        return list(reversed(copies[: inodes.index(self.inode)]))  # oldest first

    def _lines(self, data: bytes, now: float) -> Chunk | None:
        if data:
            if not self.pending:
                self.pending_since = now
            data = self.pending + data
            cut = data.rfind(b"\n") + 1
            complete, self.pending = data[:cut], data[cut:]
        else:
            complete = b""
            if self.pending and now - self.pending_since >= PARTIAL_AFTER_S:
                complete, self.pending = self.pending + b"\n", b""
        if not complete:
            return None
        chunk = Chunk(self.name, self.stream, complete, self.last_stamp)
        end = len(complete) - 1  # the newline that ends the last line
        while end >= 0:  # the last stamped line, from the end: mostly the very last one
            start = complete.rfind(b"\n", 0, end) + 1
            if stamp := stamp_at(complete, start):
                self.last_stamp = stamp
                break
            end = start - 1
        return chunk


class Follower:
    """New lines of the named processes' logs (all processes when `names` is empty), and, given
    the event history's path, their lifecycle lines."""

    def __init__(self, logs_dir: Path, names: list[str], streams=STREAMS, from_end: bool = True, events: Path | None = None):
        self.logs_dir, self.names, self.streams = logs_dir, set(names), set(streams)
        self.files: dict[Path, FileFollower] = {}
        self._discover(from_end)
        # Always from the end: the history before now is `platform events`'.
        self.events = FileFollower(events, "", lifecycle.STREAM, from_end=True) if events else None

    def poll(self) -> list[Chunk]:
        """Every complete line written since the last poll, one chunk per file that grew (and
        one per process with new lifecycle lines)."""
        self._discover(from_end=False)
        now = time.monotonic()
        chunks = [chunk for f in self.files.values() if (chunk := f.poll(now))]
        if self.events and (recorded := self.events.poll(now)):
            for name, lines in lifecycle.lifecycle_lines(recorded.lines, self.names).items():
                chunks.append(Chunk.of_lines(name, lifecycle.STREAM, lines))
        return chunks

    def start_offsets(self) -> dict[Path, int]:
        """Where following began in each file: the last lines before it are read up to there."""
        return {path: f.start_offset for path, f in self.files.items()}

    def _discover(self, from_end: bool) -> None:
        try:
            entries = os.listdir(self.logs_dir)
        except FileNotFoundError:
            return
        for entry in entries:
            path = self.logs_dir / entry
            if path in self.files:
                continue
            which = name_of(path)
            if which is None or which[1] not in self.streams or (self.names and which[0] not in self.names):
                continue
            if which[0] in ("supervisord", "platform-events"):
                continue
            self.files[path] = FileFollower(path, which[0], which[1], from_end)


def follow(follower: Follower, emit, idle_s: float = 0.02) -> None:
    """Hand every poll's chunks to `emit` until interrupted; poll every `idle_s` when idle."""
    while True:
        chunks = follower.poll()
        if chunks:
            emit(chunks)
        else:
            time.sleep(idle_s)
