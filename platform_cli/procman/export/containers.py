"""What compose and Kubernetes agree on: which image runs a process, with which arguments, and
which processes keep a store (and so get a volume).

Stores: platform gives every process a PLATFORM_DATA_DIR and cannot see which ones write to it,
so every process is taken to own a store (a volume, a StatefulSet) unless the user says it is
stateless (`--stateless NAME`). Redis always owns one: its append-only file.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from platform_cli.errors import ConfigError
from platform_cli.procman.export.environment import instances, split_dotenv
from platform_cli.procman.project import Project, ProcessSpec

APP_IMAGE = "platform-app"
REDIS_IMAGE = "redis:7"  # the official image; `--appendonly yes` as services/redis does
_SHELL_CHARS = set("$`\\\"'|&;<>()*?[]{}~#!\n")


@dataclass(frozen=True)
class ExportOptions:
    image: str = APP_IMAGE
    stateless: frozenset[str] = frozenset()


def is_redis(spec: ProcessSpec) -> bool:
    """A process probed with Redis PING is a Redis server: it runs from the official image."""
    return spec.probe.kind == "redis"


def command_argv(command: str) -> list[str]:
    """The Procfile line as an exec list: its words when it is a simple command, else `sh -c`."""
    if not _SHELL_CHARS.intersection(command):
        words = shlex.split(command)
        if words and "=" not in words[0]:
            return words
    return ["sh", "-c", command]


def procfile_command(argv: list[str]) -> str:
    """command_argv's inverse: a Procfile line from an exec list."""
    if len(argv) == 3 and argv[0] in ("sh", "/bin/sh") and argv[1] == "-c":
        return argv[2]
    return shlex.join(argv)


def password_key(spec: ProcessSpec) -> str:
    """The secret holding a redis process's password: REDIS_PASSWORD for `redis`, the variable
    services/common reads when REDIS_URL (plain config in a container) carries none."""
    return spec.name.upper().replace("-", "_") + "_PASSWORD"


def export_secrets(project: Project, dotenv: dict[str, str], passwords: dict[str, str]) -> dict[str, str]:
    """The secrets compose and Kubernetes keep apart from the config: .env's, plus a password for
    each redis with `password = true` (passwords: {process: a password made for this export}).
    load_project has refused a <NAME>_PASSWORD of a redis in .env: this is the one way."""
    _, secrets = split_dotenv(dotenv)
    for spec in project.processes.values():
        if is_redis(spec) and spec.password:
            secrets[password_key(spec)] = passwords[spec.name]
    return secrets


def redis_args(spec: ProcessSpec, password_ref: str | None) -> list[str]:
    """redis-server's arguments: the process's port, AOF on, and requirepass from password_ref
    (how the engine spells the secret's value) when it takes a password."""
    args = ["redis-server", "--port", str(spec.port), "--appendonly", "yes", "--appendfsync", "everysec"]
    if password_ref is not None:
        args += ["--requirepass", password_ref]
    return args


def store_owners(project: Project, options: ExportOptions) -> list[str]:
    """The processes that get a volume, in Procfile order; a stateless one may not be redis, and a
    store cannot be shared by several instances (each TinyDB file has one owning process)."""
    project.check_names(sorted(options.stateless))
    owners = []
    for spec in project.processes.values():
        if spec.name in options.stateless:
            if is_redis(spec):
                raise ConfigError(f"{spec.name} is a Redis server: it keeps its data, it cannot be --stateless")
            continue
        if instances(spec) > 1:
            raise ConfigError(
                f"{spec.name} runs {instances(spec)} instances but would own a store, which only one process may write",
                hint=f"if it keeps nothing under PLATFORM_DATA_DIR, export with --stateless {spec.name}",
            )
        owners.append(spec.name)
    return owners
