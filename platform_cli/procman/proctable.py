"""The machine's processes as /proc shows them, read directly: what `platform down`'s sweep needs.

After stopping everything, `down` looks through every process for those a data dir's supervisord
started (their environment names the data dir), and for what supervisord adopted. psutil costs
~20 ms to import and builds an object per process, and its children() reads the stat file of
every process on the machine; here /proc/<pid>/environ, cmdline and the kernel's own list of a
process's children are read straight. Linux only, as the rest of procman (pids.py, the subreaper).
"""

from __future__ import annotations

import os


def pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def read(pid: int, what: str) -> bytes:
    """/proc/<pid>/<what>; b"" when the process is gone, a zombie or not ours to read."""
    try:
        with open(f"/proc/{pid}/{what}", "rb") as f:
            return f.read()
    except OSError:
        return b""


def environ(pid: int) -> dict[str, str]:
    found = {}
    for entry in read(pid, "environ").split(b"\0"):
        key, sep, value = entry.partition(b"=")
        if sep:
            found[key.decode(errors="replace")] = value.decode(errors="replace")
    return found


def has_env(pid: int, key: str, value: str) -> bool:
    """Whether the process's environment holds KEY=VALUE exactly: a substring test first, so the
    processes of others cost no parsing."""
    entry = f"{key}={value}".encode()
    raw = read(pid, "environ")
    return entry in raw and entry in raw.split(b"\0")


def name(pid: int) -> str:
    """The process's name (its comm, as `ps` shows it)."""
    return read(pid, "comm").decode(errors="replace").strip()


def children(pid: int) -> list[int]:
    """The direct children of `pid`, from the kernel's list of each of its threads' children (one
    file each); without that file (CONFIG_PROC_CHILDREN), from the parent of every process."""
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return []
    if not os.path.exists(f"/proc/{pid}/task/{pid}/children"):
        return [p for p in pids() if _parent(p) == pid]
    found = []
    for task in tasks:
        found += [int(child) for child in read(pid, f"task/{task}/children").split()]
    return found


def descendants(pid: int) -> list[int]:
    """Children, grandchildren, … of `pid`, each after its parent."""
    found, todo = [], children(pid)
    while todo:
        child = todo.pop(0)
        found.append(child)
        todo += children(child)
    return found


def _parent(pid: int) -> int | None:
    return _stat_field(pid, 1)


def session_leader(pid: int) -> bool:
    """Whether `pid` leads its session: a daemon that called setsid, as supervisord does."""
    return _stat_field(pid, 3) == pid


def _stat_field(pid: int, index: int) -> int | None:
    """A numeric field of /proc/<pid>/stat, counted after the command name (0: the state);
    None when the process is gone."""
    try:
        return int(read(pid, "stat").rsplit(b")", 1)[1].split()[index])
    except (IndexError, ValueError):
        return None
