"""Applying a new Procfile, platform.toml or .env to a running supervisord, as `platform up` does.

A process restarts only when something it depends on changed: its command, its settings, its
environment, or the address of a process in its `depends_on` (see supervisor_conf, "identity").
Anything else — a line added or removed elsewhere, a renumbered priority — leaves it running: its
section of programs.conf is written back as supervisord loaded it, so supervisord sees no change.
The processes that must restart do so one at a time in dependency order, each once the one
before it is ready again, and `up` says why for each.

The watchdog's settings (probe interval, liveness, max_memory) restart nothing: they go to
watch.json beside programs.conf, which the running daemon's watchdog reads again (watchplan.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from platform_cli.procman.datadir import writing
from platform_cli.procman.project import Project, address_keys
from platform_cli.procman.readiness import Reporter, start_in_order
from platform_cli.procman.supervisor import SupervisorClient
from platform_cli.procman.supervisor_conf import Program, read_identity, read_sections, script_of
from platform_cli.procman.watchplan import write_plan


@dataclass(frozen=True)
class Restart:
    name: str
    reasons: list[str]

    def describe(self) -> str:
        return f"{self.name}: {'; '.join(self.reasons)}, restarting"


def describe_change(old: dict | None, new: dict) -> list[str]:
    """Why a process whose identity went from `old` to `new` restarts, in words."""
    if old is None:
        return ["launched by an older platform"]
    reasons = []
    if old.get("command") != new["command"]:
        reasons.append("command changed")
    old_settings, new_settings = old.get("settings", {}), new["settings"]
    if old_settings.get("port") != new_settings["port"]:
        reasons.append(f"its port moved to {new_settings['port']}")
    changed = [k for k in new_settings if k != "port" and old_settings.get(k) != new_settings[k]]
    if changed:
        reasons.append(f"settings changed ({', '.join(changed)})")
    old_needs = old.get("needs", {})
    moved = [d for d, url in new["needs"].items() if d in old_needs and old_needs[d] != url]
    reasons.extend(f"{d} moved to {_where(new['needs'][d])}" for d in moved)
    old_env, new_env = old.get("env", {}), new["env"]
    keys = sorted(k for k in old_env.keys() | new_env.keys() if old_env.get(k) != new_env.get(k) and k != "PORT")
    dotenv = set(old.get("dotenv", [])) | set(new["dotenv"])
    addresses = {key for d in new["needs"] for key in address_keys(d)}
    from_dotenv = [k for k in keys if k in dotenv]
    others = [k for k in keys if k not in dotenv and k not in addresses]
    if from_dotenv:
        reasons.append(f".env changed ({', '.join(from_dotenv)})")
    if others:
        reasons.append(f"environment changed ({', '.join(others)})")
    return reasons or ["settings changed"]


def _where(url: str | None) -> str:
    port = url.rsplit(":", 1)[-1] if url else None
    return f"port {port}" if port and port.isdigit() else "no port"


class Rollout:
    """Changes to the programs of one supervisord: `daemon` (daemon.Daemon) owns where they are
    written, `client` speaks to it."""

    def __init__(self, daemon, client: SupervisorClient):
        self.daemon, self.client = daemon, client

    def apply(
        self,
        project: Project,
        programs: list[Program],
        render: Callable[[dict[str, str]], str],
        names: list[str] | None,
        data_dir: Path,
        reporter: Reporter,
        hold: frozenset[str] = frozenset(),
        spawned: frozenset[str] = frozenset(),
        spawned_at: float | None = None,
    ) -> list[str]:
        """Load the new programs, restart what changed, start `names` (all when None; none but
        the restarted when empty); return the processes started or found running, in start order.

        hold: running programs left as they are even if changed (a rolling reload replaces them
        one at a time: procman/rolling.py); their launch scripts are kept.
        spawned, spawned_at: what supervisord spawned as it booted, and when (see start_in_order)."""
        running = {p.name for p in self.client.processes() if p.pid}
        loaded = self.loaded()
        kept: dict[str, str] = {}
        reasons: dict[str, list[str]] = {}
        for program in programs:
            section = loaded.get(program.name)
            if section is None or program.name not in running:
                continue
            script = script_of(section, program.name)
            if script == program.script_name or program.name in hold:
                kept[program.name] = section  # the same identity (or held): supervisord must see no change
            else:
                reasons[program.name] = describe_change(self._identity(script), program.identity)
        scripts = {p.script_name: p.script for p in programs}
        self.daemon.write_programs(render(kept), scripts)
        with writing(self.daemon.data_dir):
            write_plan(self.daemon.run_dir, project)  # what the daemon's watchdog probes, and how often
        added, changed, removed = self.client.reload()
        self.client.remove(removed)
        for name in removed:
            reporter.note(f"removed {name} (no longer in the Procfile)")
        # supervisord's diff decides what must restart: a running program whose section changed.
        restarts = [Restart(p.name, reasons.get(p.name, ["settings changed"])) for p in programs if p.name in changed and p.name in running]
        restarting = {r.name for r in restarts}
        # Not running: nothing to restart, only a new section to load. All in one round-trip each
        # (a long Procfile's edit may touch thousands of programs).
        self.client.replace([name for name in changed if name not in restarting])
        self.client.add(added)
        for restart in restarts:  # in start order: make_programs lists programs so
            reporter.note(restart.describe())
            self.client.replace([restart.name])
            start_in_order(self.client, project, [restart.name], data_dir, _Quieter(reporter, hide_already=None))
        # Every program now runs what it was rendered as: older scripts can go.
        self.daemon.prune_scripts(set(scripts) | {script_of(kept[n], n) for n in hold if n in kept} - {None})
        # An empty selection starts nothing (disabled processes stay down): only None means all.
        wanted = None if names is None else names + [r.name for r in restarts if r.name not in names]
        return start_in_order(self.client, project, wanted, data_dir, _Quieter(reporter, hide_already=restarting),
                              spawned=spawned, spawned_at=spawned_at)

    def stale(self, programs: list[Program]) -> set[str]:
        """The running programs whose loaded launch script is not the one `programs` render."""
        running = {p.name for p in self.client.processes() if p.pid}
        loaded = self.loaded()
        return {p.name for p in programs if p.name in running and p.name in loaded
                and script_of(loaded[p.name], p.name) != p.script_name}

    def load(self, programs: list[Program], render: Callable[[dict[str, str]], str]) -> None:
        """Give supervisord those of `programs` it does not hold yet (never started since it
        started), leaving every section it holds as it is: `start` applies no Procfile change.
        `render(kept)` renders `programs`, the sections in `kept` as they are."""
        loaded = self.loaded()
        scripts = {p.script_name: p.script for p in programs if p.name not in loaded}
        if not scripts:
            return
        ours = {p.name for p in programs}
        # Lines since removed from the Procfile stay loaded (and running) until the next `up`.
        others = "".join(section for name, section in loaded.items() if name not in ours)
        self.daemon.write_programs(render(loaded) + others, scripts)
        added, _, _ = self.client.reload()
        self.client.add(added)

    def loaded(self) -> dict[str, str]:
        """The sections supervisord last read: programs.conf is only ever written by `apply`
        and `load`."""
        try:
            return read_sections(self.daemon.programs_path.read_text())
        except FileNotFoundError:
            return {}

    def _identity(self, script: str | None) -> dict | None:
        if script is None:
            return None
        try:
            return read_identity((self.daemon.scripts_dir / script).read_text())
        except OSError:
            return None


class _Quieter:
    """The reporter, minus "already running" for the processes in `hide_already` (all when None):
    a rolling restart finds the dependencies of each process running, and the last wait finds
    the restarted processes running again; neither is news."""

    def __init__(self, reporter: Reporter, hide_already: set[str] | None):
        self.reporter, self.hide_already = reporter, hide_already

    def waiting(self, name, on):
        self.reporter.waiting(name, on)

    def starting(self, name, probe):
        self.reporter.starting(name, probe)

    def ready(self, name, seconds, already):
        if not (already and (self.hide_already is None or name in self.hide_already)):
            self.reporter.ready(name, seconds, already)

    def note(self, message):
        self.reporter.note(message)
