"""Render the Procfile's processes for supervisord (pure: specs in, text out).

Each program gets a launch script holding its environment (`export KEY='value'`, shell-quoted as
honcho quotes) and its Procfile command. supervisord's own `environment=` setting cannot carry
every value: its parser strips quote characters from both ends, cannot nest quotes, and its
config parser cuts a value at whitespace followed by `#` or `;`.

A program's *identity* is what a restart of it depends on: its command, its settings, its own
environment (.env values digested, never copied) and the addresses of the processes in its
`depends_on`. The script's name carries a digest of it, and its first lines the identity itself,
so that `up` can say why a process restarts (rollout.py). Other processes' addresses are in the
script too, but a process that does not depend on them is not restarted when they come, go or
move; it reads them at its next start. Priorities (supervisord's start and stop order) follow the
depth in the dependency graph, not the Procfile position, so a new line renumbers nothing.
"""

from __future__ import annotations

import hashlib
import json
import re
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

from platform_cli.errors import ConfigError
from platform_cli.procman.project import ProcessSpec, Project

SHELL = "/bin/sh"
# Shell operators after which `exec` would change what the command does.
_COMPOUND = frozenset({";", "&", "&&", "|", "||", "(", ")", ";;"})
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_INLINE_COMMENT = re.compile(r"\s[#;]")
IDENTITY_MARK = "# identity: "
# One program's section of programs.conf (render_programs).
_PROGRAM = """
[program:{name}]
command={command}
directory={directory}
autostart=false
autorestart={autorestart}
exitcodes={exitcodes}
startsecs={startsecs}
startretries={retries}
stopsignal={stopsignal}
stopwaitsecs={stopwaitsecs}
stopasgroup={stopasgroup}
killasgroup=true
priority={priority}
stdout_logfile={logs}/{name}.log
stdout_logfile_maxbytes={log_max_bytes}
stdout_logfile_backups={log_backups}
stderr_logfile={logs}/{name}.err.log
stderr_logfile_maxbytes={log_max_bytes}
stderr_logfile_backups={log_backups}
"""
# Set by the platform for every process; a .env line cannot change them.
_OWN_KEYS = frozenset({"PORT", "PYTHONUNBUFFERED", "PLATFORM_DATA_DIR", "PLATFORM_PROCESS"})


@dataclass(frozen=True)
class Program:
    spec: ProcessSpec
    priority: int
    env: dict[str, str]
    incidental: frozenset[str] = frozenset()  # env keys that do not call for a restart when they change
    needs: tuple[tuple[str, str | None], ...] = ()  # (name, address) of each process in depends_on

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def identity(self) -> dict:
        """What a restart depends on, as JSON-able data; .env values only as digests."""
        spec = self.spec
        essential = {k: v for k, v in self.env.items() if k not in self.incidental}
        return {
            "command": spec.command,
            "settings": {
                "port": int(spec.env["PORT"]) if "PORT" in spec.env else spec.port,
                "probe": spec.probe.describe(),
                "depends_on": list(spec.depends_on),
                "start_timeout": spec.start_timeout,
                "stop_timeout": spec.stop_timeout,
                "retries": spec.retries,
            },
            **self._model_identity(),
            "env": {k: _digest(f"{k}={v}") for k, v in sorted(essential.items())},
            "dotenv": sorted(set(spec.env) - _OWN_KEYS),
            "needs": dict(self.needs),
        }

    def _model_identity(self) -> dict:
        """kind, restart, exit codes and conditions, only where not the default: a project that
        sets none of them keeps the identities (and running processes) it had before them."""
        spec, found = self.spec, {}
        if spec.is_task:
            found["kind"] = spec.kind
        if spec.restart != ("no" if spec.is_task else "always"):
            found["restart"] = spec.restart
        if spec.success_exit_codes != (0,):
            found["success_exit_codes"] = list(spec.success_exit_codes)
        if spec.conditions:
            found["conditions"] = dict(sorted(spec.conditions.items()))
        if spec.stop_signal != "TERM":
            found["stop_signal"] = spec.stop_signal
        if spec.stop_command:
            found["stop_command"] = spec.stop_command
        if spec.tty:
            found["tty"] = True
        return {"model": found} if found else {}

    @property
    def autorestart(self) -> str:
        """supervisord's autorestart for `restart`: `unexpected` restarts only on an exit code
        outside exitcodes. A task retries in its launch script instead (see task_command)."""
        if self.spec.is_task:
            return "false"
        return {"always": "true", "on_failure": "unexpected", "no": "false"}[self.spec.restart]

    @property
    def exitcodes(self) -> str:
        return ",".join(str(c) for c in self.spec.success_exit_codes)

    @property
    def startsecs(self) -> int:
        # A task may finish in a millisecond: with startsecs=1 supervisord would call that a
        # crash ("exited too quickly") whatever its exit code.
        return 0 if self.spec.is_task else 1

    @property
    def command_line(self) -> str:
        """The launch script's last line: the Procfile command, exec'd, inside what its settings
        ask for: a task's retry loop, then the pty relay (tty), then the stop_command parent."""
        spec = self.spec
        line = make_shell_command(spec.command)
        if spec.is_task and spec.restart == "on_failure":
            line = task_command(spec.command, spec.success_exit_codes, spec.retries)
        if spec.tty:
            # On a pseudo-terminal that `platform attach` reaches through a socket in the data dir.
            from platform_cli.procman.attach import socket_path

            where = socket_path(Path(self.env["PLATFORM_DATA_DIR"]), spec.name)
            line = _exec_wrapped([sys.executable, "-m", "platform_cli.procman.ptyrelay", str(where), "--"], line)
        if spec.stop_command:
            # supervisord signals only this parent (TERM); it runs stop_command, then stop_signal.
            line = _exec_wrapped([sys.executable, "-m", "platform_cli.procman.stopwrap", spec.stop_signal, f"{spec.stop_timeout:g}",
                                  spec.stop_command, "--"], line)
        return line

    @property
    def stop_section(self) -> dict:
        """stopsignal, stopwaitsecs and stopasgroup: with a stop_command, supervisord's TERM goes to
        the stopwrap parent alone, which gets stop_timeout for the command and the program's own
        exit, then stop_timeout after stop_signal; killasgroup still ends the whole group."""
        spec = self.spec
        if spec.stop_command:
            return {"stopsignal": "TERM", "stopwaitsecs": spec.stop_wait, "stopasgroup": "false"}
        return {"stopsignal": spec.stop_signal, "stopwaitsecs": spec.stop_wait, "stopasgroup": "true"}

    @property
    def script(self) -> str:
        header = f"# Rendered by `platform up` for {self.name}. Do not edit: edit the Procfile or .env."
        identity = IDENTITY_MARK + json.dumps(self.identity, sort_keys=True)
        return "\n".join([header, identity, *self._exports(self.env), self.command_line]) + "\n"

    @property
    def script_name(self) -> str:
        digest = _digest(json.dumps(self.identity, sort_keys=True))[:12]
        return f"{self.name}-{digest}.sh"

    def _exports(self, env: dict[str, str]) -> list[str]:
        lines = []
        for key, value in env.items():
            if not _ENV_NAME.fullmatch(key):
                raise ConfigError(f"{key!r} is not a valid environment variable name (for {self.name})")
            lines.append(f"export {key}={shlex.quote(value)}")
        return lines


def read_identity(script: str) -> dict | None:
    """The identity a launch script was rendered from; None for one rendered before identities."""
    for line in script.splitlines()[:3]:
        if line.startswith(IDENTITY_MARK):
            try:
                return json.loads(line[len(IDENTITY_MARK):])
            except ValueError:
                return None
    return None


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


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


def _exec_wrapped(parent: list[str], line: str) -> str:
    """`exec PARENT... 'LINE'`: a small parent that runs LINE through /bin/sh."""
    return "exec " + " ".join(shlex.quote(part) for part in parent) + " " + shlex.quote(line)


def task_command(command: str, success: tuple[int, ...], retries: int) -> str:
    """A task with restart = "on_failure", retried by its launch script: up to `retries` more
    runs, 1, 2, 4 ... 16 s apart. supervisord cannot: with startsecs=0 (which a task needs) it
    respawns an unexpected exit at once, with no backoff and no limit."""
    codes = " ".join(str(c) for c in success)
    return (
        "platform_try=0; platform_wait=1\n"
        "while :; do\n"
        f"  ( {command}\n  ); platform_code=$?\n"
        f"  for ok in {codes}; do [ \"$platform_code\" = \"$ok\" ] && exit \"$platform_code\"; done\n"
        f"  platform_try=$((platform_try + 1)); [ \"$platform_try\" -gt {retries} ] && exit \"$platform_code\"\n"
        "  echo \"exited $platform_code; run $((platform_try + 1)) in ${platform_wait}s\" >&2\n"
        "  sleep \"$platform_wait\" & wait $!; [ \"$platform_wait\" -lt 16 ] && platform_wait=$((platform_wait * 2))\n"
        "done"
    )


def make_programs(
    project: Project, data_dir: Path, path_prefix: str, inherited_path: str, names: list[str] | None = None
) -> list[Program]:
    """The programs of `names` and what they depend on (all when None), in start order.

    A selection keeps a long Procfile's `up NAME` at the cost of what it touches: supervisord is
    given only the programs that were started at some point (procman/orchestrator.py chooses).
    """
    from platform_cli.procman.passwords import load_passwords

    passwords = load_passwords(project, data_dir, create=True)
    peers = project.peer_environment(passwords=passwords)
    depth: dict[str, int] = {}
    programs = []
    for name in project.start_order(names):
        spec = project.processes[name]
        depth[name] = 1 + max((depth[d] for d in spec.depends_on), default=-1)
        needed = project.peer_environment(spec.depends_on, passwords)
        env = {
            **peers,
            **spec.env,
            "PYTHONUNBUFFERED": "1",
            "PLATFORM_DATA_DIR": str(data_dir),
            "PLATFORM_PROCESS": name,  # also how `platform down` finds an orphan's children
            "PATH": f"{path_prefix}:{inherited_path}" if inherited_path else path_prefix,
        }
        # Neither another process's address (unless this one depends on it), nor the PATH of
        # whoever ran `up` (a venv activated or not), nor the platform's own settings in .env
        # (their effects, such as new ports, are judged on their own) is a reason to restart.
        settings_keys = {k for k in spec.env if k.startswith("PLATFORM_")} - _OWN_KEYS
        incidental = frozenset(peers.keys() - needed.keys()) | {"PATH"} | settings_keys
        needs = tuple((d, project.processes[d].url) for d in spec.depends_on)
        # supervisord starts lower priorities first and stops them last: dependencies first. The
        # depth in the dependency graph, unlike a position, moves only when dependencies change.
        programs.append(Program(spec, priority=100 + depth[name], env=env, incidental=incidental, needs=needs))
    return programs


def render_programs(
    programs: list[Program],
    scripts_dir: Path,
    directory: Path,
    logs: Path,
    procfile: Path,
    log_max_bytes: int,
    log_backups: int,
    kept: dict[str, str] | None = None,
) -> str:
    """The [program:x] sections; supervisord reads them through the [include] in supervisord.conf.

    `kept`: sections to write as they were (see read_sections), so that supervisord sees no
    change in a running program whose identity is the same.
    """
    for path in (scripts_dir, directory, logs):
        if _INLINE_COMMENT.search(str(path)) or "\n" in str(path):
            raise ConfigError(f"supervisord cannot use a path with whitespace before '#' or ';': {path}")
    kept = kept or {}
    parts = [f"; Rendered by `platform up` from {_percent(str(procfile))}. Do not edit: edit the Procfile.\n"]
    for program in programs:
        parts.append(kept.get(program.name) or _section(program, scripts_dir, directory, logs, log_max_bytes, log_backups))
    return "".join(parts)


def _section(p: Program, scripts_dir: Path, directory: Path, logs: Path, log_max_bytes: int, log_backups: int) -> str:
    """One [program:x] section. A plain format, not a template engine: `up` renders before
    supervisord can start, and jinja2's import alone (~20 ms) was a tenth of a cold start."""
    stop = p.stop_section
    return _PROGRAM.format(
        name=p.name,
        command=f"{SHELL} {_percent(shlex.quote(f'{scripts_dir}/{p.script_name}'))}",
        directory=_percent(str(directory)),
        autorestart=p.autorestart,
        exitcodes=p.exitcodes,
        startsecs=p.startsecs,
        retries=p.spec.retries,
        stopsignal=stop["stopsignal"],
        stopwaitsecs=stop["stopwaitsecs"],
        stopasgroup=stop["stopasgroup"],
        priority=p.priority,
        # supervisord expands a log file's name twice (as a value, then as a file name format).
        logs=_percent(_percent(str(logs))),
        log_max_bytes=log_max_bytes,
        log_backups=log_backups,
    )


def _percent(value: str) -> str:
    """supervisord expands %(name)s in its values: a literal % is doubled (as honcho's exporters do)."""
    return value.replace("%", "%%")


def read_sections(conf: str) -> dict[str, str]:
    """Each program's section of a programs.conf that render_programs wrote: name -> text."""
    sections: dict[str, str] = {}
    for block in re.split(r"\n(?=\[program:)", conf):
        match = re.match(r"\[program:([^\]]+)\]\n", block)
        if match:
            sections[match.group(1)] = "\n" + block.rstrip("\n") + "\n"
    return sections


def script_of(section: str, name: str) -> str | None:
    """The launch script's file name that a section runs."""
    match = re.search(rf"/({re.escape(name)}-[0-9a-f]{{12}}\.sh)\b", section)
    return match.group(1) if match else None
