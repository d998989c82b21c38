"""Bringing a whole project up and down: the steps `up`, `run`, `down`, `start` and the MCP tools
share (render the programs, start or reload supervisord, roll what changed, sweep orphans, wait
for ports to be released).

Kept out of commands/ so a command stays parse -> call -> render, and so `run` and `up` call the
same code without one command module importing another. Takes the daemon, project and settings
it works on, and a readiness Reporter for what it has to say (the CLI passes its rich one), so it
imports neither typer nor rich.
"""

from __future__ import annotations

import os
import sys
import time
from typing import TYPE_CHECKING, Callable

from platform_cli.errors import ConfigError, NotReadyError
from platform_cli.procman.supervisor import STOP_BUDGET_S

if TYPE_CHECKING:
    from platform_cli.config import Settings
    from platform_cli.procman.daemon import Daemon
    from platform_cli.procman.project import Project
    from platform_cli.procman.readiness import Reporter


def bring_up(daemon: Daemon, project: Project, settings: Settings, names: list[str], reporter: Reporter) -> list[str]:
    """What `up` does before showing the table: returns the processes started, in start order."""
    from platform_cli.procman.rollout import Rollout

    project.check_names(names)
    names = project.expand(names)
    # Scheduled tasks are started by the daemon's scheduler, which needs supervisord to hold them:
    # always loaded, started by `up` only when named.
    scheduled = [n for n in project.enabled_names if project.processes[n].schedule]
    # What to start: None for every process (a plain `up` with none disabled), else a list, which
    # may be empty: with `enabled = false` on all but scheduled tasks, a plain `up` starts nothing.
    wanted: list[str] | None = names or None
    if not names and len(project.enabled_names) < len(project.names):
        wanted = [n for n in project.enabled_names if n not in scheduled]  # enabled = false: only when named
    daemon.prepare_dirs()
    # From "is supervisord running?" until it runs what was asked: a second `up` (or a `down`) waits.
    with daemon.lock():
        running = daemon.is_running()
        if running:
            from platform_cli.procman import prestart

            prestart.abandon()  # one started while the project was read (a stale guess) is not needed
        rollout = Rollout(daemon, daemon.client())
        if running:  # a changed service behind another (the gateway's) is replaced the rolling way first
            from platform_cli.procman.rolling import roll_changed

            # Under the lock already held: scale, reload and watch take the same one (procman/lock.py).
            roll_changed(rollout, rollout.client, settings.data_dir, lambda scale: make_stage(daemon, settings, scale), reporter)
        # supervisord holds only what was started at some point: `up NAME` renders NAME, what it
        # depends on and what supervisord holds (still in the Procfile), not a long Procfile's
        # every line. A line gone from the Procfile is left out, so its process is removed.
        loaded = rollout.loaded() if running else {}
        selection = [*wanted, *scheduled, *(n for n in loaded if n in project.processes)] if wanted is not None else None
        programs, render = _programs(daemon, project, settings, selection)
        boot: list[str] = []
        spawned_at = None
        if not running:
            cleanup = daemon.clean_up_after_crash()
            if cleanup:
                reporter.note(f"supervisord had died without cleaning up: {cleanup.describe()}")
            daemon.write_programs(render({}), {p.script_name: p.script for p in programs})
            boot = boot_names(project, wanted)
            spawned_at = time.time()
            reporter.note(f"started supervisord (pid {daemon.start(boot=boot)})")
        started = rollout.apply(project, programs, render, wanted, settings.data_dir, reporter,
                                spawned=frozenset(boot), spawned_at=spawned_at)
        from platform_cli.procman.instances import make_registry, write_registry

        write_registry(settings.data_dir, make_registry(project))  # where the gateway finds each instance
        return started


def boot_names(project: Project, names: list[str] | None) -> list[str]:
    """What a supervisord starting for this `up` spawns at once, before any RPC: the services it
    starts that depend on nothing. Their ports are checked first, as start_in_order checks each
    port before a start; tasks are left to start_in_order (it tells a task that has already
    run from one never started by its state alone)."""
    from platform_cli.procman.health import port_is_free
    from platform_cli.procman.readiness import port_in_use

    order = project.start_order(names)
    boot = [n for n in order if not project.processes[n].depends_on and project.processes[n].kind == "service"
            and not project.processes[n].schedule]
    for name in boot:
        port = project.processes[name].port
        if port is not None and not port_is_free(port):
            raise port_in_use(name, port)
    return boot


def load_programs(daemon: Daemon, project: Project, settings: Settings, client, names: list[str]) -> None:
    """Before `start` or `restart` of `names` (in start order, dependencies included): give
    supervisord those it does not hold yet, as `up` renders them; one RPC when it holds them all."""
    known = client.infos(names)
    missing = [n for n in names if n not in known]
    if missing:  # only then: rendering and rollout cost imports and a file write
        from platform_cli.procman.rollout import Rollout

        Rollout(daemon, client).load(*_programs(daemon, project, settings, missing))


def make_stage(daemon: Daemon, settings: Settings, scale: dict[str, int]):
    """The project with `scale` over the instance counts in force, its programs and their renderer.

    As `up` does, only what supervisord holds (still in the Procfile) and the instances of the
    processes in `scale` are rendered, not a long Procfile's every line."""
    from platform_cli.procman.instances import load_scale
    from platform_cli.procman.project import load_project
    from platform_cli.procman.rolling import Stage
    from platform_cli.procman.rollout import Rollout

    s = settings
    project = load_project(s.procfile, s.base_port, s.dotenv, {**load_scale(s.data_dir), **scale})
    loaded = Rollout(daemon, daemon.client()).loaded()
    selection = [n for n in loaded if n in project.processes] + project.expand(list(scale))
    programs, render = _programs(daemon, project, settings, selection or None)
    return Stage(project, programs, render)


def _programs(daemon: Daemon, project: Project, settings: Settings, names: list[str] | None):
    """The programs of `names` and what they depend on (all when None), and `render(kept)`, which
    renders them for supervisord, the sections in `kept` as they were."""
    from platform_cli.procman.supervisor_conf import make_programs, render_programs

    programs = make_programs(project, settings.data_dir, os.path.dirname(sys.executable), os.environ.get("PATH", ""), names)

    def render(kept: dict[str, str]) -> str:
        return render_programs(programs, daemon.scripts_dir, project.dir, settings.data_dir / "logs", settings.procfile,
                               settings.log_max_bytes, settings.log_backups, kept=kept)

    return programs, render


def register_running(daemon: Daemon, project: Project, settings: Settings) -> None:
    """In the machine's list of running platforms (`platform ls`)."""
    from platform_cli.procman.registry import PlatformEntry, register

    ports = {n: s.port for n, s in project.processes.items() if s.port is not None}
    register(PlatformEntry(str(project.dir), str(settings.data_dir), settings.base_port, daemon.client().pid(), ports))


def shut_down(daemon: Daemon, load_project: Callable[[], Project]) -> str:
    """Stop every process and supervisord, and anything they left behind; says what it did.

    The project is loaded only once supervisord is known to run (`load_project`), and a broken
    Procfile does not stop `down`."""
    from platform_cli.procman.daemon import find_leftovers, terminate
    from platform_cli.procman.health import port_is_free
    from platform_cli.procman.stopping import stop_in_waves

    with daemon.lock():
        if not daemon.is_running():
            cleanup = daemon.clean_up_after_crash()
            return f"supervisord was not running; {cleanup.describe()}" if cleanup else "platform is not running"
        try:  # `down` must work even when the Procfile has since been broken
            specs = list(load_project().processes.values())
        except ConfigError:
            specs = []
        client = daemon.client()
        running = [p.name for p in client.processes() if p.pid]
        # Ports to see released: those our processes were listening on (another program's are not ours).
        ports = [s.port for s in specs if s.port and not port_is_free(s.port)]
        try:
            for _ in stop_in_waves(client, {s.name: s.depends_on for s in specs}, {s.name: s.stop_wait for s in specs}, running):
                pass
        except NotReadyError:
            pass  # still stopping past its deadline: supervisord's shutdown and the orphan sweep below finish it
        # What escaped its process group (double fork, setsid) is now supervisord's child: stop it
        # while supervisord is still its parent.
        adopted = daemon.adopted(client.pid(), set())
        terminate([p for p, _ in adopted])
        pid = daemon.stop(STOP_BUDGET_S)
        orphans, daemons = find_leftovers(daemon.data_dir)
        leftovers = adopted + orphans
        terminate([p for p, _ in leftovers] + daemons)
        from platform_cli.procman.pids import PidRecord

        PidRecord(daemon.run_dir).clear()  # all gone: the next cold `up` need not look for orphans
        from platform_cli.procman.registry import unregister

        unregister(daemon.data_dir)  # off `platform ls`
    message = f"stopped {len(running)} process{'es' if len(running) != 1 else ''} and supervisord (pid {pid})"
    if leftovers:
        message += "; also stopped what had left its process group: " + ", ".join(f"{n} (pid {p})" for p, n in leftovers)
    busy = wait_ports_free(ports, port_is_free)
    if busy:
        message += f"; still in use by programs platform did not start: port {', '.join(map(str, busy))}"
    return message


def wait_ports_free(ports: list[int], port_is_free, deadline_s: float = 5.0) -> list[int]:
    """Wait until the ports are released; return those still taken at the deadline."""
    deadline = time.monotonic() + deadline_s
    while (busy := [p for p in ports if not port_is_free(p)]) and time.monotonic() < deadline:
        time.sleep(0.05)
    return busy
