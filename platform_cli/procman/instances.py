"""Instances of a process, and the registry that tells the gateway where they are.

A process with `instances = N` (platform.toml) or scaled with `platform scale NAME=N` runs as N
supervised programs: the Procfile's name for instance 1 (`orders`, the stable address its peers
get in ORDERS_URL) and `orders.2` ... `orders.N`, each with its own PORT (its port + k - 1;
project.py). Instance 1 is never renamed, so scaling restarts nothing that keeps running.

`platform scale` writes its numbers to data/supervisor/scale.json, which wins over
platform.toml's `instances` until the next `scale` of that process: a later `up` keeps them.

The registry (data/registry.json) lists, for every process with an http address, its instances
with their url and state: "ready" (in rotation) or "draining" (no new requests: on its way out).
The platform writes it atomically (mkstemp in the same folder, fsync, rename) after `up`,
`scale` and at each step of `reload`; the gateway reads it again whenever its mtime changes
(services/gateway/registry.py reads the same format: services never import platform_cli).

    {"version": 1, "services": {"orders": [{"name": "orders", "url": "http://127.0.0.1:5100", "state": "ready"}, ...]}}
"""

from __future__ import annotations

import json
from pathlib import Path

REGISTRY_FILE = "registry.json"
SCALE_FILE = "scale.json"
READY, DRAINING = "ready", "draining"


def load_scale(data_dir: Path) -> dict[str, int]:
    """The instances `platform scale` set, by Procfile name; {} when none (or unreadable)."""
    try:
        found = json.loads((data_dir / "supervisor" / SCALE_FILE).read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(found, dict):
        return {}
    return {k: v for k, v in found.items() if isinstance(v, int) and not isinstance(v, bool)}


def save_scale(data_dir: Path, name: str, count: int) -> None:
    scale = load_scale(data_dir)
    scale[name] = count
    write_json(data_dir / "supervisor" / SCALE_FILE, scale)


def parse_scale(text: str) -> tuple[str, int]:
    """`orders=3` -> ("orders", 3); ValueError naming what is wrong."""
    name, sep, count = text.partition("=")
    if not sep or not name:
        raise ValueError(f"expected NAME=COUNT, like orders=3, not {text!r}")
    try:
        value = int(count)
    except ValueError:
        raise ValueError(f"the count in {text!r} must be a whole number") from None
    return name, value


def make_registry(project, states: dict[str, str] | None = None, absent: set[str] = frozenset()) -> dict:
    """The registry for `project` (procman.project.Project): every http instance ready unless
    `states` says otherwise; `absent` instances left out (not running, or on their way out)."""
    states = states or {}
    services: dict[str, list[dict]] = {}
    for spec in project.processes.values():
        if spec.url is None or not spec.url.startswith("http") or spec.name in absent:
            continue
        services.setdefault(spec.family, []).append({"name": spec.name, "url": spec.url, "state": states.get(spec.name, READY)})
    return {"version": 1, "services": services}


def write_registry(data_dir: Path, registry: dict) -> None:
    write_json(data_dir / REGISTRY_FILE, registry)


def write_json(path: Path, found: dict) -> None:
    """Through atomicfile.write_atomic: a reader (the gateway, each 50 ms) sees the old file or the new."""
    from platform_cli.procman.atomicfile import write_atomic

    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps(found, sort_keys=True))
