"""Where a service's instances are: the registry the platform publishes, read again when it changes.

The platform writes PLATFORM_DATA_DIR/registry.json atomically (platform_cli/procman/instances.py
holds the writer; services never import platform_cli, so the format is restated here):

    {"version": 1, "services": {"orders": [{"name": "orders", "url": "http://...", "state": "ready"}, ...]}}

Only "ready" instances take requests; a "draining" one is finishing what it has and gets nothing
new. The file is checked at most every CHECK_S (one stat), and read again only when its mtime or
size moved, so a new instance, a draining one and a gone one are known within moments without a
restart. With no file, or a service not in it, the address from the environment (<NAME>_URL)
serves, as before instances existed.

Health: the daemon's watchdog probes every instance and keeps its latest sample in
PLATFORM_DATA_DIR/supervisor/samples.json (platform_cli/procman/samples.py: {"processes":
{name: {"health": {"status": "ok" | "failing" | ...}}}}). An instance whose latest probe is
"failing" gets no request while another ready one is healthy: a hung instance (accepting
connections, answering nothing) is passed over until the watchdog has restarted it. When every
instance is failing, all ready ones are tried (better a slow answer than none).
"""

from __future__ import annotations

import itertools
import json
import os
import threading
import time
from pathlib import Path

FILE_NAME = "registry.json"
SAMPLES_FILE = "samples.json"
CHECK_S = 0.05


class Registry:
    def __init__(self, path: Path | None, fallback: dict[str, str], clock=time.monotonic, samples: Path | None = None):
        self.path, self.fallback, self.clock = path, fallback, clock
        self.samples = samples if samples is not None else (path.parent / "supervisor" / SAMPLES_FILE if path else None)
        self._lock = threading.Lock()
        self._seen: tuple | None = None  # (mtime_ns, size) of what was last read
        self._samples_seen: tuple | None = None
        self._checked = float("-inf")
        self._ready: dict[str, list[tuple[str, str]]] = {}  # service -> (instance name, url) of the ready ones
        self._failing: set[str] = set()  # instances whose latest probe failed
        self._turns: dict[str, itertools.count] = {}

    def urls(self, service: str) -> list[str]:
        """The ready instances' urls, in the order to try them (round robin: each call starts one further)."""
        self._refresh()
        listed = self._ready.get(service)
        if listed is None:
            base = self.fallback.get(service)
            return [base] if base else []
        ready = [url for name, url in listed if name not in self._failing] or [url for _, url in listed]
        if not ready:
            return []
        start = next(self._turns.setdefault(service, itertools.count())) % len(ready)
        return ready[start:] + ready[:start]

    def _refresh(self) -> None:
        if self.path is None:
            return
        now = self.clock()
        with self._lock:
            if now - self._checked < CHECK_S:
                return
            self._checked = now
            self._read_samples()
            try:
                st = os.stat(self.path)
            except OSError:
                self._ready, self._seen = {}, None
                return
            if (st.st_mtime_ns, st.st_size) == self._seen:
                return
            try:
                data = json.loads(self.path.read_text())
                self._ready = parse_registry(data)
                self._seen = (st.st_mtime_ns, st.st_size)
            except (OSError, ValueError, TypeError, KeyError, AttributeError):
                pass  # a file that is not a registry: keep what was known


    def _read_samples(self) -> None:
        if self.samples is None:
            return
        try:
            st = os.stat(self.samples)
            if (st.st_mtime_ns, st.st_size) == self._samples_seen:
                return
            processes = json.loads(self.samples.read_text()).get("processes", {})
            self._failing = {name for name, sample in processes.items()
                             if isinstance(sample, dict) and (sample.get("health") or {}).get("status") == "failing"}
            self._samples_seen = (st.st_mtime_ns, st.st_size)
        except (OSError, ValueError, AttributeError):
            self._failing = set()  # no daemon's view: every ready instance takes requests


def parse_registry(data: dict) -> dict[str, list[tuple[str, str]]]:
    """service -> (name, url) of its ready instances."""
    return {service: [(i.get("name", ""), i["url"]) for i in instances if i.get("state") == "ready" and isinstance(i.get("url"), str)]
            for service, instances in data["services"].items()}
