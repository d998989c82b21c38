"""Stopping many processes at once, so that `down` and `stop --all` cost one stop timeout, not one each.

supervisord's own shutdown stops one priority group at a time and waits for each: three processes
that ignore SIGTERM cost three stop timeouts, and every program, even one never started, a turn
of its main loop. Here every running process of a wave is asked to stop in one XML-RPC multicall,
supervisord escalates each to SIGKILL after its own stop timeout, and the wave is awaited with
one deadline. Waves keep one order that matters: a process is stopped before what it depends
on (it may still be finishing work that needs it); processes unrelated by `depends_on` stop
together. A wave costs at most its longest stop timeout.
"""

from __future__ import annotations

import time
from typing import Callable, Iterator, Mapping

from platform_cli.procman.states import STOPPABLE
from platform_cli.procman.supervisor import SupervisorClient

MARGIN_S = 5.0  # beyond the stop timeout, for supervisord to notice the SIGKILLed process is gone
# The states are asked at once (stopProcess has signalled and reaped what died at once), then
# after 2, 4, 8, 16 ms and every 20 ms: most processes are gone within a few ms of the signal.
FIRST_POLL_S, POLL_S = 0.002, 0.02


def plan_waves(depends_on: Mapping[str, tuple[str, ...]], targets: list[str]) -> list[list[str]]:
    """`targets` in waves: each process in a wave after every target that depends on it, directly
    or through processes that are not targets.

    Pure. `depends_on` maps each process to what it depends on (directly); keeps `targets` order.
    """
    left = list(dict.fromkeys(targets))
    needs = {n: _reachable(depends_on, n) for n in left}
    waves = []
    while left:
        still = set(left)
        wave = [n for n in left if not any(n in needs[other] for other in still if other != n)]
        if not wave:  # a cycle (rejected when the project loads): stop the rest together
            wave = left
        waves.append(wave)
        left = [n for n in left if n not in wave]
    return waves


def _reachable(depends_on: Mapping[str, tuple[str, ...]], name: str) -> set[str]:
    seen: set[str] = set()
    todo = list(depends_on.get(name, ()))
    while todo:
        dep = todo.pop()
        if dep not in seen:
            seen.add(dep)
            todo.extend(depends_on.get(dep, ()))
    return seen


def stop_in_waves(
    client: SupervisorClient,
    depends_on: Mapping[str, tuple[str, ...]],
    stop_timeouts: Mapping[str, float],
    names: list[str],
    default_timeout: float = 10.0,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[list[str]]:
    """Stop `names`, dependents first, each wave at once; yields each wave once it is stopped.

    A name that is not running costs nothing. Raises NotReadyError naming what outlived the deadline.
    """
    from platform_cli.errors import NotReadyError

    states = client.states(names)
    running = [n for n in names if states.get(n) in STOPPABLE]
    for wave in plan_waves(depends_on, running):
        client.stop_nowait(wave)
        deadline = clock() + max(stop_timeouts.get(n, default_timeout) for n in wave) + MARGIN_S
        waiting = list(wave)
        interval = FIRST_POLL_S
        while True:
            states = client.states(waiting)
            waiting = [n for n in waiting if states.get(n) in STOPPABLE]
            if not waiting:
                break
            if clock() > deadline:
                raise NotReadyError(f"did not stop in time: {', '.join(waiting)}")
            sleep(interval)
            interval = min(interval * 2, POLL_S)
        yield wave


def stop_and_wait(client: SupervisorClient, project, names: list[str]) -> None:
    """Stop `names` of `project` (procman.project.Project) through the waves above and return once
    they are gone: what a rolling reload or a watch-mode restart does to one instance at a time."""
    specs = project.processes.values()
    for _ in stop_in_waves(client, {s.name: s.depends_on for s in specs}, {s.name: s.stop_timeout for s in specs}, names):
        pass
