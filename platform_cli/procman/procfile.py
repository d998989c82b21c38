"""The Procfile, read with honcho's grammar; lines honcho would skip silently are errors here."""

from __future__ import annotations

from pathlib import Path

from honcho.environ import PROCFILE_LINE, parse, parse_procfile

from platform_cli.errors import ConfigError
from platform_cli.procman.states import LISTENER

# The event listener's program, and the daemon, whose log is data/logs/supervisord.log.
RESERVED = frozenset({LISTENER, "supervisord"})


def load_procfile(path: Path) -> dict[str, str]:
    """Process name -> command, in Procfile order."""
    text = _read(path, what="Procfile", hint="create one with a `name: command` line per process, or point at one with -f")
    first_seen: dict[str, int] = {}
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = PROCFILE_LINE.match(line)
        if match is None:
            raise ConfigError(
                f"{path}:{lineno}: malformed Procfile line: {line.strip()!r}",
                hint="each line is `name: command`; names use letters, digits, '_' and '-'",
            )
        name = match.group(1)
        if name in first_seen:
            raise ConfigError(f"{path}:{lineno}: duplicate process name {name!r} (first defined on line {first_seen[name]})")
        if name in RESERVED:
            raise ConfigError(f"{path}:{lineno}: {name!r} is reserved for the platform's own use")
        first_seen[name] = lineno
    processes = dict(parse_procfile(text).processes)
    if not processes:
        raise ConfigError(f"{path}: the Procfile declares no processes", hint="add a line `name: command`")
    return processes


def load_dotenv(path: Path) -> dict[str, str]:
    """The .env beside the Procfile (honcho's format); empty when there is none.

    Each line goes through honcho's parser on its own, so that a line it cannot read, or would
    skip silently, is an error naming its line number.
    """
    if not path.exists():
        return {}
    values: dict[str, str] = {}
    for lineno, line in enumerate(_read(path, what=".env").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            parsed = parse(line)
        except ValueError as exc:
            raise ConfigError(f"{path}:{lineno}: cannot read this line ({exc})") from None
        if not parsed:
            raise ConfigError(f"{path}:{lineno}: not a KEY=value line: {line.strip()!r}")
        values.update(parsed)
    return values


def _read(path: Path, what: str, hint: str | None = None) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"no {what} at {path}", hint=hint) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {what} {path}: {exc}") from None
