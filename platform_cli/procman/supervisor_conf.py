"""Render the Procfile's processes as supervisord program sections (pure: text in, text out).

The template goes through honcho's export machinery, so `%` escaping and shell quoting are
honcho's own filters (`percentescape`, `shellquote`), as in `honcho export supervisord`.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path

from platform_cli.procman.project import ProcessSpec, Project

LOG_MAX_BYTES = "10MB"
LOG_BACKUPS = 3
# Shell operators after which `exec` would change what the command does.
_COMPOUND = frozenset({";", "&", "&&", "|", "||", "(", ")", ";;"})


@dataclass(frozen=True)
class Program:
    spec: ProcessSpec
    priority: int
    env: dict[str, str]

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def shell_command(self) -> str:
        return make_shell_command(self.spec.command)


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
    return f"exec {command}"


def make_programs(project: Project, data_dir: Path, path_prefix: str, inherited_path: str) -> list[Program]:
    peers = project.peer_environment()
    programs = []
    for index, name in enumerate(project.start_order()):
        spec = project.processes[name]
        env = {
            **peers,
            **spec.env,
            "PYTHONUNBUFFERED": "1",
            "PLATFORM_DATA_DIR": str(data_dir),
            "PLATFORM_PROCESS": name,  # also how `platform down` finds an orphan it started
            "PATH": f"{path_prefix}:{inherited_path}" if inherited_path else path_prefix,
        }
        # supervisord starts lower priorities first and stops them last: dependencies first.
        programs.append(Program(spec, priority=100 + index, env=env))
    return programs


def render_programs(programs: list[Program], procfile: Path, directory: Path, logs: Path) -> str:
    from honcho.export.base import BaseExport

    exporter = BaseExport(template_dir=str(Path(__file__).parent / "templates"))
    template = exporter.get_template("programs.conf.j2")
    return template.render(
        programs=programs,
        procfile=str(procfile),
        directory=str(directory),
        logs=str(logs),
        shell="/bin/sh",
        log_max_bytes=LOG_MAX_BYTES,
        log_backups=LOG_BACKUPS,
    )
