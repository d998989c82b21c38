"""What an import produces, and the one place that renders it: Procfile text, platform.toml text, notes.

Parsing is pure (a loaded document in, an ImportResult out); what platform cannot express is
listed in `notes`, one line each, never dropped in silence. Settings platform.toml does not
accept yet (`instances`, `max_memory`, until ProcessSpec has them) are notes too: writing a
setting that does nothing, or that `platform up` would reject, would be worse.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shlex
from dataclasses import dataclass, field

from honcho.environ import PROCFILE_LINE

from platform_cli.errors import ConfigError
from platform_cli.procman.project import DEFAULTS, OPTIONS_FILE, ProcessSpec

DEFAULT_BASE_PORT = 5000  # config.DEFAULT_BASE_PORT: ports that follow it need no `port =`
_USES_PORT = re.compile(r"\$\{?PORT\b")
_OPTIONAL = ("instances", "max_memory")  # settings another change adds to platform.toml
_ORDER = ("probe", "liveness", "password", "depends_on", "start_timeout", "stop_timeout", "retries", "port", *_OPTIONAL)  # as README shows them


@dataclass
class ImportedProcess:
    name: str
    command: str
    settings: dict = field(default_factory=dict)  # platform.toml keys, in the order written


@dataclass(frozen=True)
class ImportResult:
    procfile: str
    options: str  # platform.toml's text; "" when no process needs a setting
    notes: list[str]


def accepted_settings() -> frozenset[str]:
    """What platform.toml accepts now: the base settings, plus instances/max_memory once
    ProcessSpec carries them (that is when they do something)."""
    fields = {f.name for f in dataclasses.fields(ProcessSpec)}
    return frozenset({"probe", "liveness", "depends_on", "port", "password", *DEFAULTS, *(k for k in _OPTIONAL if k in fields)})


def make_result(processes: list[ImportedProcess], notes: list[str], source: str, accepted: frozenset[str] | None = None) -> ImportResult:
    """The Procfile and platform.toml for these processes; settings platform would not accept
    become notes, as do dependencies on processes that were not carried over."""
    accepted = accepted_settings() if accepted is None else accepted
    if not processes:
        raise ConfigError(f"{source}: nothing to import: no process could be carried over", details=[f"  - {n}" for n in notes])
    names = {p.name for p in processes}
    notes = list(notes)
    lines = [f"# Imported by `platform import` from {source}.\n"]
    tables = []
    for position, process in enumerate(processes):
        if not PROCFILE_LINE.match(f"{process.name}: {process.command}") or "\n" in process.command:
            raise ConfigError(f"{source}: {process.name}: cannot be a Procfile line (name: letters, digits, _ and -; command: one line)")
        lines.append(f"{process.name}: {process.command}\n")
        settings = dict(process.settings)
        missing = [d for d in settings.get("depends_on", []) if d not in names]
        if missing:
            notes.append(f"{process.name}: depends_on {', '.join(missing)} not carried over (not imported)")
            settings["depends_on"] = [d for d in settings["depends_on"] if d in names]
        for key in list(settings):
            if key not in accepted:
                notes.append(f"{process.name}: {key} = {settings.pop(key)!r} not carried over ({OPTIONS_FILE} has no `{key}` yet)")
        settings = _without_defaults(process.command, position, settings)
        if settings:
            tables.append(f"[{process.name}]\n" + "".join(f"{k} = {_toml(v)}\n" for k, v in settings.items()))
    options = "\n".join(tables)
    if options:
        options = f"# Imported by `platform import` from {source}; see README \"Configuration\".\n\n" + options
    return ImportResult("".join(lines), options, notes)


def _without_defaults(command: str, position: int, settings: dict) -> dict:
    """Leave out what platform would do anyway, so an import reads like a hand-written file."""
    default_probe = "http:/health" if _USES_PORT.search(command) else "none"
    out = {}
    for key, value in sorted(settings.items(), key=lambda item: _ORDER.index(item[0]) if item[0] in _ORDER else len(_ORDER)):
        if key == "probe" and value == default_probe:
            continue
        if key in ("depends_on", "password") and not value:
            continue
        if key in DEFAULTS and float(value) == DEFAULTS[key]:
            continue
        if key == "port" and value == DEFAULT_BASE_PORT + 100 * position:
            continue
        if key == "instances" and value == 1:
            continue
        out[key] = int(value) if isinstance(value, float) and value.is_integer() else value
    return out


def _toml(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)  # a JSON string is a TOML basic string


# -- a Redis server's password -----------------------------------------------------------------

_REQUIREPASS = re.compile(r"\s+--requirepass(?:=|\s+)(?:'[^']*'|\"[^\"]*\"|\S+)")
_REDIS_SERVER = re.compile(r"(^|[\s/])redis-server(\s|$)")
# The redis that takes platform's generated password: it reads it from its own <NAME>_URL.
_PLATFORM_REDIS = re.compile(r"(^|\s)-m\s+services\.redis(\s|$)")


def is_redis_command(command: str) -> bool:
    return bool(_REDIS_SERVER.search(command) or _PLATFORM_REDIS.search(command))


def carry_redis_password(process: ImportedProcess, asked: bool, notes: list[str]) -> None:
    """A Redis server that had a password (`asked`, or `--requirepass` on its line) gets
    `password = true`: a new password platform generates, never the old value. The old value
    leaves the Procfile line, which every local user can read in `ps`. Only `python -m
    services.redis` takes the generated password; a bare redis-server would not, and its
    clients would fail to authenticate, so there the password is a note instead."""
    command, removed = _REQUIREPASS.subn("", process.command)
    if removed:
        process.command = command
        notes.append(f"{process.name}: --requirepass and its value left out of the Procfile line (command lines are public to local users)")
    if not (asked or removed):
        return
    if _PLATFORM_REDIS.search(process.command):
        process.settings["password"] = True
        process.settings["probe"] = "redis"  # password = true needs it
        notes.append(f"{process.name}: its password is not carried over; `password = true`: platform generates one at the first `up`")
    else:
        notes.append(f"{process.name}: password not carried over: `password = true` takes a redis run by `python -m services.redis`, "
                     "which reads the generated password from its URL")


# -- durations and sizes --------------------------------------------------------------------

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(us|ms|s|m|h)")
_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_duration(text) -> float | None:
    """compose durations ("1m30s", "500ms", "20s") in seconds; None when not one."""
    if isinstance(text, (int, float)):
        return float(text)
    text = str(text).strip()
    parts = _DURATION.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        return None
    return sum(float(n) * _UNITS[u] for n, u in parts)


def is_name(text: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z0-9_-]+", text))


def clean_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-") or "app"


def quote_words(words) -> str:
    return " ".join(shlex.quote(str(w)) for w in words)
