"""The process model's settings in platform.toml: what a process is (a service or a task), when
it is restarted, how it stops, what it waits for and when it runs, in the words of docker
compose, Kubernetes, PM2 and process-compose (README, "The process model"). Parsed and checked
here, apart from project.py's ports and probes, so that a setting accepted is never ignored.
"""

from __future__ import annotations

import re

from platform_cli.errors import ConfigError

# The process model (issue 20): what a process is, when it is restarted, what it waits for.
MODEL_SETTINGS = ("kind", "restart", "success_exit_codes", "stop_signal", "stop_command", "schedule", "max_concurrent",
                  "on_dependency_restart", "group", "enabled", "tty")
_GROUP_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
STOP_SIGNALS = ("TERM", "INT", "QUIT", "HUP", "USR1", "USR2", "KILL")  # what supervisord's stopsignal takes
KINDS = ("service", "task")
RESTARTS = ("always", "on_failure", "no")
CONDITIONS = ("started", "healthy", "completed_successfully")  # compose's depends_on conditions


def model_settings(options: dict, where: str) -> dict:
    kind = typed_option(options, "kind", str, where, "service")
    if kind not in KINDS:
        raise ConfigError(f"{where}: kind must be one of {', '.join(KINDS)}, not {kind!r}")
    restart = typed_option(options, "restart", str, where, "no" if kind == "task" else "always")
    if restart not in RESTARTS:
        raise ConfigError(f"{where}: restart must be one of {', '.join(RESTARTS)}, not {restart!r}")
    if kind == "task" and restart == "always":
        raise ConfigError(f'{where}: restart = "always" would run a task for ever', hint='use "on_failure" or "no", or kind = "service"')
    codes = typed_option(options, "success_exit_codes", list, where, [0])
    if not codes or not all(isinstance(c, int) and not isinstance(c, bool) and 0 <= c <= 255 for c in codes):
        raise ConfigError(f"{where}: success_exit_codes must be a non-empty list of exit codes 0-255")
    stop_signal = typed_option(options, "stop_signal", str, where, "TERM").upper().removeprefix("SIG")
    if stop_signal not in STOP_SIGNALS:
        raise ConfigError(f"{where}: stop_signal must be one of {', '.join(STOP_SIGNALS)}, not {options['stop_signal']!r}")
    stop_command = typed_option(options, "stop_command", str, where, None)
    if stop_command is not None and (not stop_command.strip() or "\n" in stop_command):
        raise ConfigError(f"{where}: stop_command must be one non-empty line")
    schedule = typed_option(options, "schedule", str, where, None)
    if schedule is not None:
        if kind != "task":
            raise ConfigError(f'{where}: schedule needs kind = "task" (a service runs all the time)')
        from platform_cli.procman.schedule import check_schedule

        try:
            check_schedule(schedule)
        except ValueError as exc:
            raise ConfigError(f"{where}: {exc}", hint='e.g. "*/5 * * * *", or "* * * * * */10" for every 10 s') from None
    concurrent = typed_option(options, "max_concurrent", int, where, 1)
    if concurrent != 1:
        # supervisord runs one copy of a program at a time: a run still going when the next is
        # due is skipped (Kubernetes' concurrencyPolicy: Forbid), never doubled.
        raise ConfigError(f"{where}: max_concurrent can only be 1 (a run still going when the next is due is skipped)")
    if "max_concurrent" in options and schedule is None:
        raise ConfigError(f"{where}: max_concurrent needs a schedule")
    follow = typed_option(options, "on_dependency_restart", str, where, "ignore")
    if follow not in ("restart", "ignore"):
        raise ConfigError(f'{where}: on_dependency_restart must be "restart" or "ignore", not {follow!r}')
    if follow == "restart" and not options.get("depends_on"):
        raise ConfigError(f"{where}: on_dependency_restart needs depends_on")
    groups = options.get("group", [])
    groups = [groups] if isinstance(groups, str) else groups
    if not isinstance(groups, list) or not all(isinstance(g, str) and _GROUP_NAME.fullmatch(g) for g in groups):
        raise ConfigError(f'{where}: group must be a name like "web" (letters, digits, - and _), or a list of them')
    enabled = options.get("enabled", True)
    if not isinstance(enabled, bool):
        raise ConfigError(f"{where}: enabled must be true or false")
    return {"kind": kind, "restart": restart, "success_exit_codes": tuple(sorted(set(codes))),
            "stop_signal": stop_signal, "stop_command": stop_command, "schedule": schedule, "on_dependency_restart": follow,
            "groups": tuple(groups), "enabled": enabled, "tty": _flag(options, "tty", where)}


def _flag(options: dict, key: str, where: str) -> bool:
    value = options.get(key, False)
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: {key} must be true or false")
    return value


def dependencies(options: dict, where: str) -> tuple[list[str], dict[str, str]]:
    """depends_on as a list (each must be healthy) or, compose-style, a table of conditions."""
    value = options.get("depends_on", [])
    if isinstance(value, dict):
        bad = {d: c for d, c in value.items() if c not in CONDITIONS}
        if bad:
            name, condition = next(iter(bad.items()))
            raise ConfigError(f"{where}: depends_on.{name} must be one of {', '.join(CONDITIONS)}, not {condition!r}")
        return list(value), {d: c for d, c in value.items() if c != "healthy"}
    if not isinstance(value, list) or not all(isinstance(d, str) for d in value):
        raise ConfigError(f"{where}: depends_on must be a list of process names or a table like {{ migrate = \"completed_successfully\" }}")
    return value, {}


def typed_option(options: dict, key: str, kind, where: str, default):
    value = options.get(key, default)
    # bool is an int in Python; `port = true` is still a mistake.
    if value is not default and ((isinstance(value, bool) and kind is not bool) or not isinstance(value, kind)):
        raise ConfigError(f"{where}: {key} has the wrong type ({type(value).__name__})")
    return value
