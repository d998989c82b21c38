"""The watchdog's latest sample of each process: health, latency, CPU, memory, with their times.

The watchdog (a thread inside supervisord, recorder.py) is the only writer; `platform status` reads the whole file
in one go, so it shows what the daemon last measured instead of probing every service itself.
The gateway reads each entry's health status too (services/gateway/registry.py, which restates
the format: services never import platform_cli), to pass over an instance whose probe fails.
Each entry names the pid it was taken of: a sample of a process that has since been restarted
is not this process's, and `status` ignores it.
"""

from __future__ import annotations

import json
from pathlib import Path

from platform_cli.procman.atomicfile import write_atomic

FILE_NAME = "samples.json"


def samples_path(data_dir: Path) -> Path:
    return data_dir / "supervisor" / FILE_NAME


def write_samples(data_dir: Path, samples: dict[str, dict], now: float) -> None:
    write_atomic(samples_path(data_dir), json.dumps({"written_at": now, "processes": samples}, sort_keys=True))


def read_samples(data_dir: Path) -> dict[str, dict]:
    """Name -> {pid, health: {status, latency_ms, detail}, probed_at, failures, cpu_percent,
    memory_bytes, sampled_at}; {} when there is none (no daemon, or an older one)."""
    try:
        return json.loads(samples_path(data_dir).read_text()).get("processes", {})
    except (OSError, ValueError, AttributeError):
        return {}
