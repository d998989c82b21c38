"""A project: the Procfile's processes with their ports, probes, dependencies and environment.

Per-process settings come from `platform.toml` beside the Procfile, one table per process:

    [web]
    probe = "http:/health"     # http[:/path] | tcp | redis | none
    depends_on = ["redis"]
    start_timeout = 20         # seconds to become ready
    stop_timeout = 10          # seconds between SIGTERM and SIGKILL
    retries = 5                # quick crashes in a row before FATAL
    port = 6379                # instead of honcho's base port + 100 x position

A plain Procfile needs none of it: a command that uses $PORT gets `probe = "http:/health"`.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

from honcho.environ import expand_processes

from platform_cli.errors import ConfigError, UnknownProcessError
from platform_cli.procman.health import HOST, ProbeSpec, parse_probe
from platform_cli.procman.procfile import load_procfile

OPTIONS_FILE = "platform.toml"
DEFAULTS = {"start_timeout": 20.0, "stop_timeout": 10.0, "retries": 5}
_USES_PORT = re.compile(r"\$\{?PORT\b")
_SCHEMES = {"redis": "redis", "tcp": "tcp"}  # anything else is reached over http


@dataclass(frozen=True)
class ProcessSpec:
    name: str
    command: str
    port: int | None
    probe: ProbeSpec
    depends_on: tuple[str, ...] = ()
    start_timeout: float = DEFAULTS["start_timeout"]
    stop_timeout: float = DEFAULTS["stop_timeout"]
    retries: int = DEFAULTS["retries"]
    env: dict[str, str] = field(default_factory=dict)  # .env values and PORT

    @property
    def url(self) -> str | None:
        if self.port is None:
            return None
        return f"{_SCHEMES.get(self.probe.kind, 'http')}://{HOST}:{self.port}"


@dataclass(frozen=True)
class Project:
    dir: Path
    processes: dict[str, ProcessSpec]  # Procfile order

    @property
    def names(self) -> list[str]:
        return list(self.processes)

    def check_names(self, names: list[str]) -> None:
        unknown = [n for n in names if n not in self.processes]
        if unknown:
            raise UnknownProcessError(unknown, self.names)

    def start_order(self, names: list[str] | None = None) -> list[str]:
        """The named processes (all when None) plus what they depend on, dependencies first."""
        wanted = self._closure(names if names else self.names)
        position = {name: i for i, name in enumerate(self.processes)}
        sorter = TopologicalSorter({n: self.processes[n].depends_on for n in wanted})
        sorter.prepare()  # cycles were rejected at load time
        order: list[str] = []
        while sorter.is_active():
            ready = sorted(sorter.get_ready(), key=position.__getitem__)
            order.extend(ready)
            sorter.done(*ready)
        return order

    def peer_environment(self, names: tuple[str, ...] | None = None) -> dict[str, str]:
        """The addresses of the named processes (all by default), so that none hard-codes a port."""
        env: dict[str, str] = {}
        owners: dict[str, str] = {}
        # Only the named ones when named: called once per process, this must not cost the whole Procfile.
        specs = self.processes.values() if names is None else [self.processes[n] for n in names if n in self.processes]
        for spec in specs:
            if spec.port is not None:
                key = spec.name.upper().replace("-", "_")
                if key in owners:  # `a-b` and `a_b`: one would silently take the other's address
                    raise ConfigError(
                        f"processes {owners[key]} and {spec.name} would both be {key}_PORT and {key}_URL",
                        hint="rename one of them in the Procfile",
                    )
                owners[key] = spec.name
                env[f"{key}_PORT"] = str(spec.port)
                env[f"{key}_URL"] = spec.url
        return env

    def _closure(self, names: list[str]) -> set[str]:
        self.check_names(names)
        seen: set[str] = set()
        todo = list(names)
        while todo:
            name = todo.pop()
            if name not in seen:
                seen.add(name)
                todo.extend(self.processes[name].depends_on)
        return seen


def load_project(procfile: Path, base_port: int, dotenv: dict[str, str]) -> Project:
    commands = load_procfile(procfile)
    options = load_options(procfile.parent / OPTIONS_FILE, list(commands))
    processes: dict[str, ProcessSpec] = {}
    # honcho numbers ports as it does for `honcho start`: base, base + 100, ... in Procfile order.
    for params in expand_processes(commands, env=dotenv, port=base_port):
        name = params.name.rsplit(".", 1)[0]
        env = {k: v for k, v in params.env.items() if k != "HONCHO_PROCESS_NAME"}
        processes[name] = _make_spec(name, params.cmd, env, options.get(name, {}))
    project = Project(procfile.parent, processes)
    _check_dependencies(project, procfile.parent / OPTIONS_FILE)
    return project


def load_options(path: Path, names: list[str]) -> dict[str, dict]:
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from None
    for name, table in data.items():
        if name not in names:
            raise ConfigError(f"{path}: [{name}] is not a process in the Procfile", hint=f"processes: {', '.join(names)}")
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: {name} must be a table ([{name}])")
        unknown = set(table) - {"probe", "depends_on", "port", *DEFAULTS}
        if unknown:
            raise ConfigError(
                f"{path}: [{name}] has unknown setting {', '.join(sorted(unknown))}",
                hint="settings: probe, depends_on, port, start_timeout, stop_timeout, retries",
            )
    return data


def _make_spec(name: str, command: str, env: dict[str, str], options: dict) -> ProcessSpec:
    where = f"{OPTIONS_FILE} [{name}]"
    uses_port = bool(_USES_PORT.search(command))
    try:
        probe = parse_probe(_typed(options, "probe", str, where, "http" if uses_port else "none"))
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    port = _typed(options, "port", int, where, None)
    if port is not None and not 1 <= port <= 65535:
        raise ConfigError(f"{where}: port must be 1-65535, not {port}")
    if port is None and (uses_port or probe.kind != "none"):
        port = int(env["PORT"])
        if port > 65535:
            raise ConfigError(f"{name} would get port {port}, past 65535", hint="lower PLATFORM_BASE_PORT, or set `port` in platform.toml")
    if port is not None:
        env = {**env, "PORT": str(port)}
    else:
        env.pop("PORT", None)
    depends_on = _typed(options, "depends_on", list, where, [])
    if not all(isinstance(d, str) for d in depends_on):
        raise ConfigError(f"{where}: depends_on must be a list of process names")
    timeouts = {k: float(_typed(options, k, (int, float), where, DEFAULTS[k])) for k in ("start_timeout", "stop_timeout")}
    if min(timeouts.values()) <= 0:
        raise ConfigError(f"{where}: timeouts must be positive seconds")
    retries = _typed(options, "retries", int, where, DEFAULTS["retries"])
    if retries < 0:
        raise ConfigError(f"{where}: retries must be 0 or more")
    return ProcessSpec(name, command, port, probe, tuple(depends_on), retries=retries, env=env, **timeouts)


def _typed(options: dict, key: str, kind, where: str, default):
    value = options.get(key, default)
    # bool is an int in Python; `port = true` is still a mistake.
    if value is not default and (isinstance(value, bool) or not isinstance(value, kind)):
        raise ConfigError(f"{where}: {key} has the wrong type ({type(value).__name__})")
    return value


def _check_dependencies(project: Project, path: Path) -> None:
    for spec in project.processes.values():
        missing = [d for d in spec.depends_on if d not in project.processes]
        if missing:
            raise ConfigError(f"{path}: [{spec.name}] depends on unknown process {', '.join(missing)}")
    try:
        TopologicalSorter({n: s.depends_on for n, s in project.processes.items()}).prepare()
    except CycleError as exc:
        raise ConfigError(f"{path}: dependency cycle: {' -> '.join(exc.args[1])}") from None
