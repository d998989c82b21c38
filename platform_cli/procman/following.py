"""Dependencies followed while running: `on_dependency_restart = "restart"`.

When a process that others depend on is restarted (a crash, a `platform restart`, the
watchdog's own restart: a new pid) or stops passing its probe, each dependent that asked for it
is restarted once the dependency is ready again, so that it reconnects, re-reads what it cached
at start, or re-runs its own start-up against the new dependency. No anchor does this on its
own: compose's `depends_on.restart` acts only on compose's own commands.

The watchdog (watchdog.py) steps this on every state event and sample: `step_follow` is pure,
given which processes run (name -> pid) and which are ready, so a unit test walks it through
restarts and outages without processes.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import NamedTuple

NOTHING = MappingProxyType({})  # an empty, read-only default


class Follow(NamedTuple):  # not a dataclass: see probestate.py
    baseline: dict[str, int] = NOTHING  # dependency -> the pid last seen ready
    pending: dict[str, frozenset[str]] = NOTHING  # dependency -> dependents to restart
    why: dict[str, str] = NOTHING  # dependency -> "restarted" | "unhealthy"


def step_follow(follow: Follow, followers: dict[str, tuple[str, ...]], running: dict[str, int],
                ready: dict[str, bool]) -> tuple[Follow, list[tuple[str, str]]]:
    """followers: dependent -> the dependencies it follows (on_dependency_restart = "restart").
    Returns the next Follow and the (dependent, reason) pairs to restart now."""
    baseline, pending, why = dict(follow.baseline), dict(follow.pending), dict(follow.why)
    restarts: list[tuple[str, str]] = []
    dependencies = sorted({d for deps in followers.values() for d in deps})
    for dep in dependencies:
        pid, is_ready = running.get(dep), ready.get(dep, False)
        if dep in baseline and (pid != baseline[dep] or not is_ready):
            dependents = frozenset(n for n, deps in followers.items() if dep in deps and n in running)
            if dependents:
                pending[dep] = pending.get(dep, frozenset()) | dependents
                why.setdefault(dep, "restarted" if pid != baseline[dep] else "unhealthy")
            if pid is None or pid != baseline[dep]:
                del baseline[dep]  # ready again only with a pid seen ready
        if pid is not None and is_ready:
            baseline[dep] = pid
            for dependent in sorted(pending.pop(dep, frozenset())):
                if dependent in running:
                    restarts.append((dependent, f"{dep} {why.get(dep, 'restarted')} \u2192 restarted"))
            why.pop(dep, None)
    return follow._replace(baseline=baseline, pending=pending, why=why), restarts
