"""A project: the Procfile's processes with their ports, probes, dependencies and environment.

Per-process settings come from `platform.toml` beside the Procfile, one table per process:

    [web]
    probe = "http:/health"     # http[:/path] | tcp | redis | exec:COMMAND | log:PATTERN | none
    depends_on = ["redis"]
    start_timeout = 20         # seconds to become ready
    stop_timeout = 10          # seconds between SIGTERM and SIGKILL
    retries = 5                # quick crashes in a row before FATAL
    port = 6379                # instead of honcho's base port + 100 x position
    probe_interval = 5         # seconds between the daemon's probes of a running process
    probe_timeout = 2          # seconds a probe may take before it counts as failed
    failure_threshold = 1      # failures in a row before `status` calls it unhealthy
    liveness = true            # restart it after liveness_threshold failures in a row (or a probe of its own: "http:/live")
    liveness_threshold = 3
    max_memory = "300MB"       # restart it when its process group stays above this
    password = true            # a redis that takes a generated password (python -m services.redis)
    instances = 3              # processes running the same command (`platform scale web=3` at runtime)
    watch = ["services/web"]   # with `platform up --watch`: reload it when files under these change
    kind = "task"              # runs to completion (a migration); default "service"
    restart = "on_failure"     # always | on_failure | no (default: always, a task: no)
    success_exit_codes = [0]   # exits that are no failure
    depends_on = { migrate = "completed_successfully", redis = "healthy" }  # or started
    stop_signal = "INT"        # instead of TERM
    stop_command = "./drain.sh"  # run before stop_signal
    schedule = "*/5 * * * *"   # a task run by the daemon on this cron schedule (not by `up`)
    on_dependency_restart = "restart"  # restarted once a restarted or unhealthy dependency is ready again
    group = "web"              # or a list: `platform up @web`, `restart @web`
    enabled = false            # started only when named (or its group is)
    tty = true                 # on a pseudo-terminal: `platform attach NAME` (a debugger's prompt)

A plain Procfile needs none of it. Every process gets `PORT` in its environment, as under honcho;
a command that mentions $PORT is taken to listen on it (probed with `GET /health`, where any answer
below 500 will do; its address shown and given to the others), any other is ready once it has
stayed up for a second.
"""

from __future__ import annotations

import math

import re
import tomllib
from dataclasses import dataclass, field
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

from honcho.environ import expand_processes

from platform_cli.errors import ConfigError, UnknownProcessError
from platform_cli.procman.health import HOST, NEEDS_PORT, ProbeSpec, parse_probe
from platform_cli.procman.procfile import load_procfile
from platform_cli.procman.processmodel import MODEL_SETTINGS, dependencies as _dependencies, model_settings as _model_settings
from platform_cli.procman.processmodel import typed_option as _typed

OPTIONS_FILE = "platform.toml"
DEFAULTS = {"start_timeout": 20.0, "stop_timeout": 10.0, "retries": 5}
# What the daemon's watchdog does with a running process (procman/watchdog.py).
WATCH_DEFAULTS = {"probe_interval": 5.0, "probe_timeout": 2.0, "failure_threshold": 1, "liveness_threshold": 3}
SETTINGS = ("probe", "depends_on", "port", "password", *DEFAULTS, *WATCH_DEFAULTS, "liveness", "max_memory", "instances", "watch", *MODEL_SETTINGS)
# Instance k of a process listens on its port + k - 1: honcho spaces the Procfile's lines 100
# ports apart, so 100 instances fill a line's block without reaching the next line's.
MAX_INSTANCES = 100
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
    env: dict[str, str] = field(default_factory=dict)  # .env values and PORT (every process has one)
    password: bool = False  # a redis given a generated password (procman/passwords.py)
    # The watchdog's settings: left out of repr, which names a program's launch script
    # (supervisor_conf.py), since changing them needs no restart: `up` rewrites watch.json.
    probe_interval: float = field(default=WATCH_DEFAULTS["probe_interval"], repr=False)
    probe_timeout: float = field(default=WATCH_DEFAULTS["probe_timeout"], repr=False)
    failure_threshold: int = field(default=WATCH_DEFAULTS["failure_threshold"], repr=False)
    liveness: bool = field(default=True, repr=False)  # only meaningful with a probe
    liveness_probe: ProbeSpec | None = field(default=None, repr=False)  # None: the same probe as readiness
    liveness_threshold: int = field(default=WATCH_DEFAULTS["liveness_threshold"], repr=False)
    max_memory: int | None = field(default=None, repr=False)  # bytes
    # Instance 1 is the process named in the Procfile (`orders`: the stable address its peers
    # get); instance k > 1 is `orders.k` (procman/instances.py). Left out of repr: scaling
    # restarts no instance that keeps running.
    instances: int = field(default=1, repr=False)
    base: str = field(default="", repr=False)  # the Procfile name of an extra instance; "" for instance 1
    watch: tuple[Path, ...] = field(default=(), repr=False)  # absolute paths `up --watch` watches for it

    kind: str = "service"  # or "task": runs to completion, ready once it exits with a success code
    restart: str = "always"  # always | on_failure | no
    success_exit_codes: tuple[int, ...] = (0,)
    # depends_on's condition per dependency, where it is not "healthy" (the plain list's meaning)
    conditions: dict[str, str] = field(default_factory=dict)
    stop_signal: str = "TERM"  # supervisord's stopsignal, without SIG
    stop_command: str | None = None  # run before stop_signal (procman/stopwrap.py)
    schedule: str | None = None  # a task's cron schedule, fired by the daemon (procman/schedule.py)
    on_dependency_restart: str = "ignore"  # "restart": follow depends_on while running (procman/following.py)
    groups: tuple[str, ...] = ()  # `platform up @web` names every process of group "web"
    enabled: bool = True  # False: started only when named (or its group is), or needed by one that is
    tty: bool = False  # run on a pseudo-terminal that `platform attach` reaches (procman/ptyrelay.py)

    @property
    def family(self) -> str:
        """The Procfile name this process runs for: `orders` for orders and orders.2."""
        return self.base or self.name

    @property
    def is_task(self) -> bool:
        return self.kind == "task"

    @property
    def stop_wait(self) -> int:
        """Seconds supervisord gives a stop before SIGKILL (its stopwaitsecs): with a stop_command,
        the stopwrap parent's stop_timeout for the command, then stop_timeout after stop_signal."""
        seconds = math.ceil(self.stop_timeout)
        return 2 * seconds + 1 if self.stop_command else seconds

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

    def expand(self, names: list[str]) -> list[str]:
        """Names as a person means them, every one checked: `@group` is its processes, and a
        Procfile name is all its instances (`orders` -> orders, orders.2, ...), so that every
        filter by a Procfile name matches them all; `orders.2` alone is that instance only."""
        found: list[str] = []
        for name in names:
            if name.startswith("@"):
                members = [n for n, s in self.processes.items() if name[1:] in s.groups]
                if not members:
                    raise UnknownProcessError([name], [f"@{g}" for g in self.groups] + self.names)
                found.extend(members)
            else:
                found.extend([n for n, s in self.processes.items() if n == name or s.base == name] or [name])
        found = list(dict.fromkeys(found))
        self.check_names(found)
        return found

    @property
    def groups(self) -> list[str]:
        return list(dict.fromkeys(g for s in self.processes.values() for g in s.groups))

    @property
    def enabled_names(self) -> list[str]:
        """What `up` with no names starts: every process but those with enabled = false."""
        return [n for n, s in self.processes.items() if s.enabled]

    def check_names(self, names: list[str]) -> None:
        unknown = [n for n in names if n not in self.processes]
        if unknown:
            raise UnknownProcessError(unknown, self.names)


    def by_procfile(self) -> "Project":
        """One spec per Procfile line (extra instances left out; each keeps its `instances`):
        what an export renders, as replicas of one service."""
        return Project(self.dir, {n: s for n, s in self.processes.items() if not s.base})

    def instances_of(self, name: str) -> list[str]:
        return [n for n, s in self.processes.items() if s.family == name]

    def start_order(self, names: list[str] | None = None) -> list[str]:
        """The named processes (all when None; none when empty) plus what they depend on,
        dependencies first."""
        wanted = self._closure(self.names if names is None else names)
        position = {name: i for i, name in enumerate(self.processes)}
        sorter = TopologicalSorter({n: self.processes[n].depends_on for n in wanted})
        sorter.prepare()  # cycles were rejected at load time
        order: list[str] = []
        while sorter.is_active():
            ready = sorted(sorter.get_ready(), key=position.__getitem__)
            order.extend(ready)
            sorter.done(*ready)
        return order

    def peer_environment(self, names: tuple[str, ...] | None = None, passwords: dict[str, str] | None = None) -> dict[str, str]:
        """The addresses of the named processes (all by default), so that none hard-codes a port.
        A redis with a password has it in its URL (redis://:password@127.0.0.1:port): the one
        place clients look, and an environment only the platform's user can read."""
        env: dict[str, str] = {}
        owners: dict[str, str] = {}
        # Only the named ones when named: called once per process, this must not cost the whole Procfile.
        specs = self.processes.values() if names is None else [self.processes[n] for n in names if n in self.processes]
        for spec in specs:
            if spec.base:  # an extra instance: peers reach its family at instance 1 or through the gateway
                continue
            if spec.port is not None:
                port_key, url_key = address_keys(spec.name)
                if port_key in owners:  # `a-b` and `a_b`: one would silently take the other's address
                    raise ConfigError(
                        f"processes {owners[port_key]} and {spec.name} would both be {port_key} and {url_key}",
                        hint="rename one of them in the Procfile",
                    )
                owners[port_key] = spec.name
                env[port_key] = str(spec.port)
                secret = (passwords or {}).get(spec.name)
                env[url_key] = spec.url.replace("://", f"://:{secret}@", 1) if secret else spec.url
        return env

    def _closure(self, names: list[str]) -> set[str]:
        self.check_names(names)
        seen: set[str] = set()
        todo = list(names)
        extras: dict[str, list[str]] = {}  # a dependency's extra instances come with it: each serves it
        for name, spec in self.processes.items():
            if spec.base:
                extras.setdefault(spec.base, []).append(name)
        while todo:
            name = todo.pop()
            if name not in seen:
                seen.add(name)
                for dependency in self.processes[name].depends_on:
                    todo.append(dependency)
                    todo.extend(extras.get(dependency, ()))
        return seen


def address_keys(name: str) -> tuple[str, str]:
    """The variables that tell other processes where `name` listens: (NAME_PORT, NAME_URL)."""
    key = name.upper().replace("-", "_")
    return f"{key}_PORT", f"{key}_URL"


def load_project(procfile: Path, base_port: int, dotenv: dict[str, str], scale: dict[str, int] | None = None) -> Project:
    """scale: instances set by `platform scale` (procman/instances.py), over platform.toml's."""
    commands = load_procfile(procfile)
    options = load_options(procfile.parent / OPTIONS_FILE, list(commands))
    processes: dict[str, ProcessSpec] = {}
    # honcho numbers ports as it does for `honcho start`: base, base + 100, ... in Procfile order.
    for params in expand_processes(commands, env=dotenv, port=base_port):
        name = params.name.rsplit(".", 1)[0]
        env = {k: v for k, v in params.env.items() if k != "HONCHO_PROCESS_NAME"}
        spec = _make_spec(name, params.cmd, env, options.get(name, {}), (scale or {}).get(name), procfile.parent)
        processes[name] = spec
        processes.update(_extra_instances(spec))
    project = Project(procfile.parent, processes)
    _check_ports(project)
    _check_dependencies(project, procfile.parent / OPTIONS_FILE)
    _check_redis_passwords(project, dotenv)
    return project


def _check_redis_passwords(project: Project, dotenv: dict[str, str]) -> None:
    """A redis password is asked for one way: `password = true`. A <NAME>_PASSWORD in .env (an
    older export's way) would reach every process, and services take REDIS_PASSWORD as their
    Redis password when REDIS_URL has none: they would authenticate to a redis without one."""
    for spec in project.processes.values():
        key = spec.name.upper().replace("-", "_") + "_PASSWORD"
        if spec.probe.kind == "redis" and key in dotenv:
            raise ConfigError(
                f"{key} in .env: a redis password is not taken from .env (every process would get it)",
                hint=f"remove {key} from .env; for a password, set `password = true` under [{spec.name}] in {OPTIONS_FILE} (one is generated)",
            )


def _extra_instances(spec: ProcessSpec) -> dict[str, ProcessSpec]:
    from dataclasses import replace

    extra = {}
    for k in range(2, spec.instances + 1):
        name = f"{spec.name}.{k}"
        port = spec.port + k - 1 if spec.port is not None else None
        env = {**spec.env, "PORT": str(port if port is not None else int(spec.env["PORT"]) + k - 1)}
        extra[name] = replace(spec, name=name, port=port, env=env, base=spec.name)
    return extra


def _check_ports(project: Project) -> None:
    """Two processes on one port would make the second fail to start, far from the cause."""
    seen: dict[int, str] = {}
    for spec in project.processes.values():
        if spec.port is not None:
            if spec.port in seen:
                raise ConfigError(f"{spec.name} and {seen[spec.port]} would both listen on port {spec.port}",
                                  hint="set `port` in platform.toml apart from other processes' instances")
            seen[spec.port] = spec.name


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
        unknown = set(table) - set(SETTINGS)
        if unknown:
            raise ConfigError(f"{path}: [{name}] has unknown setting {', '.join(sorted(unknown))}", hint=f"settings: {', '.join(SETTINGS)}")
    return data


def _make_spec(name: str, command: str, env: dict[str, str], options: dict, scaled: int | None = None,
               project_dir: Path = Path(".")) -> ProcessSpec:
    where = f"{OPTIONS_FILE} [{name}]"
    uses_port = bool(_USES_PORT.search(command))
    model = _model_settings(options, where)
    try:
        probe = parse_probe(_typed(options, "probe", str, where, "http" if uses_port and model["kind"] == "service" else "none"))
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    if "probe" not in options and probe.kind == "http":
        probe = probe._replace(inferred=True)  # taken from $PORT: any answer below 500 will do (health.py)
    if model["kind"] == "task" and probe.kind != "none":
        raise ConfigError(f"{where}: a task has no probe: it is ready once it exits with a success code",
                          hint="remove `probe`, or make it a service (kind = \"service\")")
    port = _typed(options, "port", int, where, None)
    if port is not None and not 1 <= port <= 65535:
        raise ConfigError(f"{where}: port must be 1-65535, not {port}")
    if port is None and (uses_port or probe.kind in NEEDS_PORT):
        port = int(env["PORT"])
        if port > 65535:
            raise ConfigError(f"{name} would get port {port}, past 65535", hint="lower PLATFORM_BASE_PORT, or set `port` in platform.toml")
    # Every process gets a PORT, as under honcho, foreman and Heroku: programs read it themselves
    # (gunicorn, Rails, most PaaS-ready apps), whether or not the command line mentions it.
    env = {**env, "PORT": str(port if port is not None else env["PORT"])}
    depends_on, conditions = _dependencies(options, where)
    timeouts = {k: float(_typed(options, k, (int, float), where, DEFAULTS[k])) for k in ("start_timeout", "stop_timeout")}
    if min(timeouts.values()) <= 0:
        raise ConfigError(f"{where}: timeouts must be positive seconds")
    retries = _typed(options, "retries", int, where, DEFAULTS["retries"])
    if retries < 0:
        raise ConfigError(f"{where}: retries must be 0 or more")
    password = options.get("password", False)
    if not isinstance(password, bool):
        raise ConfigError(f"{where}: password must be true or false")
    if password and probe.kind != "redis":
        raise ConfigError(f'{where}: password needs probe = "redis"')
    instances = scaled if scaled is not None else _typed(options, "instances", int, where, 1)
    if not 1 <= instances <= MAX_INSTANCES:
        raise ConfigError(f"{where}: instances must be 1-{MAX_INSTANCES}, not {instances}")
    if instances > 1 and (probe.kind == "redis" or password):
        raise ConfigError(f"{where}: a redis runs as one process (instances = 1)",
                          hint="its clients hold one address and its data is in one process's memory")
    if instances > 1 and port is None:
        raise ConfigError(f"{where}: instances need a port (a command that reads $PORT, or a probe)")
    return ProcessSpec(name, command, port, probe, tuple(depends_on), retries=retries, env=env, password=password, **timeouts,
                       instances=instances, watch=_watched_paths(options, where, project_dir),
                       **_watch_settings(options, where, probe.kind != "none", probe.kind), **model, conditions=conditions)


def _watched_paths(options: dict, where: str, project_dir: Path) -> tuple[Path, ...]:
    """`watch`: folders or files inside the project (that they exist is checked by `up --watch`)."""
    paths = options.get("watch", [])
    if not isinstance(paths, list) or not all(isinstance(p, str) and p for p in paths):
        raise ConfigError(f'{where}: watch must be a list of paths, like ["services/web"]')
    root = project_dir.resolve()
    found = []
    for given in paths:
        path = (root / given).resolve()
        if path != root and root not in path.parents:
            raise ConfigError(f"{where}: watch path {given!r} is outside the project folder {root}")
        found.append(path)
    return tuple(found)


def _watch_settings(options: dict, where: str, probed: bool, kind: str = "") -> dict:
    found = {k: float(_typed(options, k, (int, float), where, WATCH_DEFAULTS[k])) for k in ("probe_interval", "probe_timeout")}
    if min(found.values()) <= 0:
        raise ConfigError(f"{where}: probe_interval and probe_timeout must be positive seconds")
    for key in ("failure_threshold", "liveness_threshold"):
        found[key] = _typed(options, key, int, where, WATCH_DEFAULTS[key])
        if found[key] < 1:
            raise ConfigError(f"{where}: {key} must be 1 or more")
    # A log probe says when a process became ready, not whether it still is: no liveness from it.
    liveness = options.get("liveness", probed and kind != "log")
    if kind == "log" and liveness is True:
        raise ConfigError(f"{where}: a log probe cannot tell a hung process: liveness needs a probe of its own",
                          hint='e.g. liveness = "http:/health" or "exec:./alive.sh"')
    if isinstance(liveness, str):  # a probe of its own, e.g. "http:/live"
        try:
            found["liveness_probe"] = parse_probe(liveness)
        except ValueError as exc:
            raise ConfigError(f"{where}: liveness: {exc}") from None
        found["liveness"] = found["liveness_probe"].kind != "none"
        if found["liveness_probe"].kind == "log":
            raise ConfigError(f"{where}: liveness cannot be a log probe (it says when a process became ready, not whether it still is)")
    elif isinstance(liveness, bool):
        found["liveness"] = liveness
    else:
        raise ConfigError(f"{where}: liveness must be true, false or a probe like \"http:/live\", not {liveness!r}")
    if found["liveness"] and not probed:
        raise ConfigError(f"{where}: liveness needs a probe", hint='set `probe = "http:/health"` (or tcp, redis)')
    memory = options.get("max_memory")
    try:
        found["max_memory"] = None if memory is None else parse_size(memory)
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    return found


_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:I?B)?\s*", re.IGNORECASE)


def parse_size(value) -> int:
    """Bytes from an int or a "300MB" / "512M" / "1g" / "64MiB" string (binary units, as PM2 and
    docker read them); ValueError otherwise."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    match = _SIZE.fullmatch(value) if isinstance(value, str) else None
    if not match or float(match.group(1)) <= 0:
        raise ValueError(f'max_memory must be bytes or a size like "300MB", not {value!r}')
    return int(float(match.group(1)) * 1024 ** "BKMGT".index(match.group(2).upper() or "B"))


def _check_dependencies(project: Project, path: Path) -> None:
    for spec in project.processes.values():
        missing = [d for d in spec.depends_on if d not in project.processes]
        if missing:
            raise ConfigError(f"{path}: [{spec.name}] depends on unknown process {', '.join(missing)}")
        scheduled = [d for d in spec.depends_on if project.processes[d].schedule]
        if scheduled:
            raise ConfigError(f"{path}: [{spec.name}] depends on {scheduled[0]}, which runs on its schedule: nothing waits for it")
        for dep, condition in spec.conditions.items():
            if condition == "completed_successfully" and not project.processes[dep].is_task:
                raise ConfigError(f"{path}: [{spec.name}] waits for {dep} to complete, but {dep} is a service",
                                  hint=f'set kind = "task" under [{dep}], or depend on it being "healthy" or "started"')
    try:
        TopologicalSorter({n: s.depends_on for n, s in project.processes.items()}).prepare()
    except CycleError as exc:
        raise ConfigError(f"{path}: dependency cycle: {' -> '.join(exc.args[1])}") from None
