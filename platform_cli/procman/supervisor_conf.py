"""Render the Procfile's processes for supervisord (pure: specs in, text out).

Each program gets a launch script holding its environment (`export KEY='value'`, shell-quoted as
honcho quotes) and its Procfile command. supervisord's own `environment=` setting cannot carry
every value: its parser strips quote characters from both ends, cannot nest quotes, and its
config parser cuts a value at whitespace followed by `#` or `;`. The script's name carries a
digest of what the program depends on — its command, settings, .env values and the addresses of
the processes in its `depends_on` — so such a change is a changed program to supervisord and
`up` restarts it. Other processes' addresses are in the script too, but a process that does not
depend on them is not restarted when they come, go or move; it reads them at its next start.
"""

from __future__ import annotations

import hashlib
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

from honcho.export.base import percentescape

from platform_cli.errors import ConfigError
from platform_cli.procman.project import ProcessSpec, Project

SHELL = "/bin/sh"
# Shell operators after which `exec` would change what the command does.
_COMPOUND = frozenset({";", "&", "&&", "|", "||", "(", ")", ";;"})
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_INLINE_COMMENT = re.compile(r"\s[#;]")


@dataclass(frozen=True)
class Program:
    spec: ProcessSpec
    priority: int
    env: dict[str, str]
    incidental: frozenset[str] = frozenset()  # env keys that do not call for a restart when they change

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def script(self) -> str:
        header = f"# Rendered by `platform up` for {self.name}. Do not edit: edit the Procfile or .env."
        return "\n".join([header, *self._exports(self.env), make_shell_command(self.spec.command)]) + "\n"

    @property
    def script_name(self) -> str:
        essential = {k: v for k, v in self.env.items() if k not in self.incidental}
        identity = "\n".join([*self._exports(essential), self.spec.command, repr(self.spec)])
        return f"{self.name}-{hashlib.sha256(identity.encode()).hexdigest()[:12]}.sh"

    def _exports(self, env: dict[str, str]) -> list[str]:
        lines = []
        for key, value in env.items():
            if not _ENV_NAME.fullmatch(key):
                raise ConfigError(f"{key!r} is not a valid environment variable name (for {self.name})")
            lines.append(f"export {key}={shlex.quote(value)}")
        return lines


def make_shell_command(command: str) -> str:
    """`exec` a simple command, so that the pid supervisord watches is the program itself."""
    lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    try:
        tokens = list(lexer)
    except ValueError:  # unbalanced quotes: let the shell report it in the log
        return command
    if _COMPOUND.intersection(tokens) or "\n" in command:
        return command
    if tokens and "=" in tokens[0] and _ENV_NAME.fullmatch(tokens[0].split("=", 1)[0]):
        return command  # `FOO=1 app`: `exec FOO=1 app` would try to run a program named FOO=1
    return f"exec {command}"


def make_programs(project: Project, data_dir: Path, path_prefix: str, inherited_path: str) -> list[Program]:
    from platform_cli.procman.passwords import load_passwords

    passwords = load_passwords(project, data_dir, create=True)
    peers = project.peer_environment(passwords=passwords)
    programs = []
    for index, name in enumerate(project.start_order()):
        spec = project.processes[name]
        needed = project.peer_environment(spec.depends_on, passwords)
        env = {
            **peers,
            **spec.env,
            "PYTHONUNBUFFERED": "1",
            "PLATFORM_DATA_DIR": str(data_dir),
            "PLATFORM_PROCESS": name,  # also how `platform down` finds an orphan's children
            "PATH": f"{path_prefix}:{inherited_path}" if inherited_path else path_prefix,
        }
        # supervisord starts lower priorities first and stops them last: dependencies first.
        # Neither another process's address (unless this one depends on it) nor the PATH of
        # whoever ran `up` (a venv activated or not) is a reason to restart a process.
        incidental = frozenset(peers.keys() - needed.keys()) | {"PATH"}
        programs.append(Program(spec, priority=100 + index, env=env, incidental=incidental))
    return programs


def render_programs(
    programs: list[Program], scripts_dir: Path, directory: Path, logs: Path, procfile: Path, log_max_bytes: int, log_backups: int
) -> str:
    """The [program:x] sections; supervisord reads them through the [include] in supervisord.conf."""
    import jinja2

    for path in (scripts_dir, directory, logs):
        if _INLINE_COMMENT.search(str(path)) or "\n" in str(path):
            raise ConfigError(f"supervisord cannot use a path with whitespace before '#' or ';': {path}")
    loader = jinja2.FileSystemLoader(str(Path(__file__).parent / "templates"))
    env = jinja2.Environment(loader=loader, keep_trailing_newline=True, undefined=jinja2.StrictUndefined)
    env.filters["percentescape"] = percentescape
    env.filters["shellquote"] = shlex.quote
    return env.get_template("programs.conf.j2").render(
        programs=programs,
        scripts=str(scripts_dir),
        procfile=str(procfile),
        directory=str(directory),
        logs=str(logs),
        shell=SHELL,
        log_max_bytes=log_max_bytes,
        log_backups=log_backups,
    )
