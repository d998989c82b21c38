"""The error hierarchy and the exit codes the CLI documents (README, "Exit codes")."""

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FAILURE = 1  # anything not listed below
    USAGE = 2  # bad flags or arguments (typer/click's own code)
    UNHEALTHY = 3  # status: some process is not running or its probe fails
    DAEMON_DOWN = 4  # supervisord is not running or does not answer
    NOT_READY = 5  # a process did not become ready in time, or went FATAL
    CONFIG = 6  # Procfile, platform.toml or .env is missing or malformed
    UNKNOWN_PROCESS = 7  # a name that is not in the Procfile
    PORT_IN_USE = 8  # a process's port is taken by something else
    SERVICE_ERROR = 9  # a service refused the request (4xx) or failed (5xx)
    SERVICE_DOWN = 10  # a service does not answer
    LOGIN_NEEDED = 11  # the gateway wants a login: none, or it expired
    DATA_DIR = 12  # the data dir cannot be written: full, read-only, or not ours
    INTERRUPTED = 130  # Ctrl-C


class PlatformError(Exception):
    """An error the user can act on: one `error:` line, maybe a `hint:`, and an exit code."""

    exit_code = ExitCode.FAILURE

    def __init__(self, message: str, hint: str | None = None, details: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.details = details or []  # extra lines (e.g. a log tail) shown after the error


class ConfigError(PlatformError):
    exit_code = ExitCode.CONFIG


class DataDirError(PlatformError):
    exit_code = ExitCode.DATA_DIR


class DaemonDownError(PlatformError):
    exit_code = ExitCode.DAEMON_DOWN


class DaemonBusyError(DaemonDownError):
    """supervisord is there but does not answer in time, or is shutting down: not to be replaced."""


class NotReadyError(PlatformError):
    exit_code = ExitCode.NOT_READY


class UnknownProcessError(PlatformError):
    exit_code = ExitCode.UNKNOWN_PROCESS

    def __init__(self, unknown: list[str], known: list[str]):
        import difflib

        names = ", ".join(unknown)
        # A typo gets the name it was probably meant to be, as git does for a mistyped command.
        guesses = [g for name in unknown for g in difflib.get_close_matches(name, known, n=1, cutoff=0.6)]
        known_line = f"known processes: {', '.join(known) or '(none)'}"
        super().__init__(
            f"unknown process{'es' if len(unknown) > 1 else ''}: {names}",
            hint=f"did you mean {', '.join(dict.fromkeys(guesses))}? {known_line}" if guesses else known_line,
        )


class PortInUseError(PlatformError):
    exit_code = ExitCode.PORT_IN_USE


class ServiceError(PlatformError):
    exit_code = ExitCode.SERVICE_ERROR


class ServiceDownError(PlatformError):
    exit_code = ExitCode.SERVICE_DOWN


class LoginNeededError(PlatformError):
    exit_code = ExitCode.LOGIN_NEEDED
