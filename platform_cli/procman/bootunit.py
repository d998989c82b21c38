"""Surviving a reboot (`platform startup`/`unstartup`): a user-level systemd unit that runs
`platform up` for one project at boot and `platform down` when it is stopped.

PM2 saves its process list (`pm2 save`) and replays it at boot (`pm2 resurrect`); we have no list
to save: the unit re-reads the Procfile at boot, so it starts what the project says then. Where
no user systemd answers (containers, WSL, macOS) the unit is written all the same, and the caller
is given a crontab `@reboot` line to use instead: nothing is enabled behind the person's back.

The unit is the user's (~/.config/systemd/user, or under $XDG_CONFIG_HOME), never the system's:
no root, and it runs as the person who typed `startup`. Its name carries a hash of the Procfile's
path, so two checkouts of one project get two units.
"""

from __future__ import annotations

import hashlib
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from platform_cli.errors import ConfigError, PlatformError

SYSTEMCTL_TIMEOUT_S = 15


@dataclass(frozen=True)
class BootSpec:
    """What runs at boot: `platform -f PROCFILE --data-dir DATA up` from the project folder."""

    procfile: Path  # absolute
    data_dir: Path  # absolute
    platform: tuple[str, ...]  # the platform executable, absolute (or python -m platform_cli)
    path: str  # PATH at boot: the one `startup` was typed with (boot's own lacks the venv)

    @property
    def project_dir(self) -> Path:
        return self.procfile.parent

    def argv(self, verb: str) -> list[str]:
        return [*self.platform, "-f", str(self.procfile), "--data-dir", str(self.data_dir), verb]


def make_boot_spec(procfile: Path, data_dir: Path, environ=os.environ) -> BootSpec:
    for path in (procfile, data_dir):
        if "\n" in str(path) or "\r" in str(path):  # would end a unit line early, and start another
            raise ConfigError(f"cannot start at boot a project whose path holds a line break: {str(path)!r}")
    beside = Path(sys.executable).parent / "platform"  # the console script of this very install
    platform = (str(beside),) if beside.is_file() and os.access(beside, os.X_OK) else (sys.executable, "-m", "platform_cli")
    return BootSpec(Path(os.path.abspath(procfile)), Path(os.path.abspath(data_dir)), platform, environ.get("PATH", "/usr/bin:/bin"))


def unit_name(procfile: Path) -> str:
    """platform-<folder>-<8 hex of the Procfile's path>.service: readable, and one per checkout."""
    folder = re.sub(r"[^a-z0-9]+", "-", procfile.parent.name.lower()).strip("-") or "project"
    digest = hashlib.sha256(str(procfile).encode()).hexdigest()[:8]
    return f"platform-{folder[:40]}-{digest}.service"


def unit_dir(environ=os.environ) -> Path:
    base = environ.get("XDG_CONFIG_HOME") or os.path.join(environ.get("HOME") or os.path.expanduser("~"), ".config")
    return Path(base) / "systemd" / "user"


def render_unit(spec: BootSpec) -> str:
    """The unit file: oneshot, active (RemainAfterExit) once `up` has returned with every process
    ready; stopping it runs `down`. supervisord and its processes stay in the unit's cgroup."""
    return (
        f"# Written by `platform startup` for {spec.procfile}; `platform unstartup` removes it.\n"
        "[Unit]\n"
        f"Description=platform: the Procfile in {_escape_specifiers(str(spec.project_dir))}\n"
        "\n"
        "[Service]\n"
        "Type=oneshot\n"
        "RemainAfterExit=yes\n"
        f"WorkingDirectory={_escape_specifiers(str(spec.project_dir))}\n"  # a path: no quotes, no $ here
        f"Environment={_systemd_word('PATH=' + spec.path, dollars=False)}\n"
        f"ExecStart={_systemd_command(spec.argv('up'))}\n"
        f"ExecStop={_systemd_command(spec.argv('down'))}\n"
        "\n"
        "[Install]\n"
        "WantedBy=default.target\n"
    )


def render_cron_line(spec: BootSpec) -> str:
    """The crontab line doing the same where there is no systemd (`crontab -e`)."""
    log = spec.data_dir / "boot.log"
    command = (
        f"cd {shlex.quote(str(spec.project_dir))} && mkdir -p {shlex.quote(str(spec.data_dir))} && "
        f"PATH={shlex.quote(spec.path)} {shlex.join(spec.argv('up'))} >> {shlex.quote(str(log))} 2>&1"
    )
    return "@reboot " + command.replace("%", r"\%")  # cron turns a bare % into a newline


@dataclass
class RemovalReport:
    unit: Path
    removed: bool  # False: there was none
    disabled: bool
    reason: str = ""  # why not disabled


@dataclass
class BootReport:
    unit: Path
    written: bool  # False: the same unit was there already
    enabled: bool
    reason: str = ""  # why not enabled
    notes: list[str] = field(default_factory=list)


class UserSystemd:
    """`systemctl --user`, if a user manager answers. The executable is looked up on PATH, so a
    test can put a recording stand-in there."""

    def __init__(self, environ=os.environ):
        self._environ = environ

    def run(self, *args: str) -> tuple[bool, str]:
        """(succeeded, why not) for `systemctl --user ARGS`."""
        exe = shutil.which("systemctl", path=self._environ.get("PATH"))
        if exe is None:
            return False, "systemctl is not installed"
        try:
            done = subprocess.run([exe, "--user", *args], capture_output=True, text=True, timeout=SYSTEMCTL_TIMEOUT_S, env=dict(self._environ))
        except (OSError, subprocess.TimeoutExpired) as exc:
            return False, f"systemctl --user {args[0]}: {exc}"
        if done.returncode != 0:
            said = (done.stderr or done.stdout).strip().splitlines()
            return False, f"systemctl --user {args[0]}: {said[-1] if said else f'exit {done.returncode}'}"
        return True, ""


def install_unit(spec: BootSpec, systemd: UserSystemd, environ=os.environ) -> BootReport:
    """Write (or keep) the unit, and enable it if a user systemd answers. Idempotent."""
    from platform_cli.procman.atomicfile import write_atomic

    folder = unit_dir(environ)
    path = folder / unit_name(spec.procfile)
    text = render_unit(spec)
    written = _read(path) != text
    if written:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            write_atomic(path, text)
        except OSError as exc:  # a read-only home, a file where the folder should be: the person's to fix
            raise PlatformError(f"cannot write {path}: {exc.strerror or exc}", hint=f"check that {folder} is a folder you can write to") from None
    ok, why = systemd.run("daemon-reload")  # the first call that needs the user manager: it tells us if there is one
    if ok:
        ok, why = systemd.run("enable", path.name)
    report = BootReport(path, written, ok, why)
    if ok and not _lingering(environ):
        user = environ.get("USER") or environ.get("LOGNAME") or "$USER"
        report.notes.append(f"your systemd starts at boot only once you have logged in, unless lingering is on: loginctl enable-linger {user}")
    return report


def remove_unit(procfile: Path, systemd: UserSystemd, environ=os.environ) -> RemovalReport:
    """Disable and delete the unit, if there is one. Idempotent."""
    path = unit_dir(environ) / unit_name(Path(os.path.abspath(procfile)))
    if not path.exists():
        return RemovalReport(path, False, False)
    disabled, why = systemd.run("disable", path.name)
    try:
        path.unlink()
    except OSError as exc:
        raise PlatformError(f"cannot remove {path}: {exc.strerror or exc}", hint=f"check that you can write to {path.parent}") from None
    if disabled:
        systemd.run("daemon-reload")  # so that the manager forgets the unit now, not at its next reload
    return RemovalReport(path, True, disabled, why)


def _read(path: Path) -> str | None:
    try:
        return path.read_text()
    except (FileNotFoundError, NotADirectoryError):  # not there yet; writing it says what is wrong
        return None


def _lingering(environ) -> bool:
    user = environ.get("USER") or environ.get("LOGNAME")
    return bool(user) and Path("/var/lib/systemd/linger", user).exists()


def _escape_specifiers(text: str) -> str:
    return text.replace("%", "%%")  # systemd expands %n, %h, ... in most settings


_PLAIN = re.compile(r"[A-Za-z0-9_@%+=:,./-]+")


def _systemd_word(word: str, dollars: bool = True) -> str:
    """One word as systemd reads it: %-specifiers escaped (and $-variables, where it expands
    them: Exec lines), quoted if it has spaces."""
    word = _escape_specifiers(word)
    if dollars:
        word = word.replace("$", "$$")
    if _PLAIN.fullmatch(word):
        return word
    return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _systemd_command(argv: list[str]) -> str:
    return " ".join(_systemd_word(word) for word in argv)
