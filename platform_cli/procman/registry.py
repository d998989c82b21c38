"""The platforms running on this machine, one small file each, so that clones can live side by side.

`platform up` writes an entry under the user's settings folder (~/.config/platform/running/, or
$XDG_CONFIG_HOME/platform/running/): its folder, data dir, base port, ports and supervisord's pid;
`platform down` removes it. `platform ls` lists them, dropping entries whose supervisord is gone
(killed, or the machine rebooted). A second clone of a project finds the default port block
taken by the first one here, and `choose_base_port` gives it a free block instead, which its own
data dir then remembers (`base_port` in it), so its ports stay the same from one `up` to the next.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from platform_cli.procman.pids import alive

REMEMBERED = "base_port"  # in the data dir: the base port chosen for it
BLOCK = 1000  # a clone's base port moves by whole blocks: honcho numbers ports base + 100 x line


@dataclass(frozen=True)
class PlatformEntry:
    project_dir: str
    data_dir: str
    base_port: int
    daemon_pid: int
    ports: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict:
        return asdict(self)


def registry_dir(environ=os.environ) -> Path:
    from platform_cli.user_config import config_dir

    return config_dir(environ) / "running"


def _entry_path(data_dir: Path, environ) -> Path:
    import hashlib  # here: `platform status` loads this module for the base port alone

    return registry_dir(environ) / (hashlib.sha256(str(data_dir).encode()).hexdigest()[:16] + ".json")


def register(entry: PlatformEntry, environ=os.environ) -> None:
    """Written atomically, 0600; a settings folder we cannot write costs only `platform ls`."""
    from platform_cli.procman.atomicfile import write_atomic

    path = _entry_path(Path(entry.data_dir), environ)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_atomic(path, json.dumps(entry.to_json(), sort_keys=True))
    except OSError:
        pass


def unregister(data_dir: Path, environ=os.environ) -> None:
    try:
        _entry_path(data_dir, environ).unlink()
    except OSError:
        pass


def running_platforms(environ=os.environ) -> list[PlatformEntry]:
    """Every registered platform whose supervisord is alive; the others' entries are removed."""
    found = []
    folder = registry_dir(environ)
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            entry = PlatformEntry(**json.loads(path.read_text()))
        except (OSError, ValueError, TypeError):
            entry = None
        if entry is None or not _is_daemon(entry.daemon_pid):
            try:
                path.unlink()
            except OSError:
                pass
            continue
        found.append(entry)
    return found


def _is_daemon(pid: int) -> bool:
    try:
        return alive(pid) and b"daemon_entry" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def remembered_base_port(data_dir: Path) -> int | None:
    try:
        port = int((data_dir / REMEMBERED).read_text().strip())
    except (OSError, ValueError):
        return None
    return port if 1 <= port <= 65535 else None


def choose_base_port(data_dir: Path, default: int, needed: int, environ=os.environ, port_is_free=None) -> int:
    """`default`, unless another running platform (another data dir) has it: then the first block
    above whose `needed` ports (base, base + 100, ...) are all free and no other platform's."""
    from platform_cli.procman.health import port_is_free as free

    port_is_free = port_is_free or free
    taken = {e.base_port for e in running_platforms(environ) if e.data_dir != str(data_dir)}
    if default not in taken:
        return default
    base = default
    while base + 100 * needed <= 65535:
        base += BLOCK
        if base not in taken and all(port_is_free(base + 100 * i) for i in range(needed)):
            return base
    return default  # nothing free: `up` will name what holds the default ports (exit 8)


def remember_base_port(data_dir: Path, port: int) -> None:
    from platform_cli.procman.atomicfile import write_atomic

    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    write_atomic(data_dir / REMEMBERED, f"{port}\n")
