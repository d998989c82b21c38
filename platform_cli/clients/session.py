"""The CLI's login: a token from the gateway, kept 0600 under the data dir, never in a command line."""

from __future__ import annotations

import json
import time
from pathlib import Path


class Session:
    def __init__(self, data_dir: Path):
        self.path = data_dir / "cli" / "token.json"

    def load(self) -> dict | None:
        try:
            saved = json.loads(self.path.read_text())
        except (FileNotFoundError, ValueError):
            return None
        return saved if isinstance(saved, dict) and "token" in saved else None

    def save(self, signed_in: dict) -> None:
        from platform_cli.procman.atomicfile import private_dirs, write_atomic

        private_dirs(self.path.parent)
        saved = {k: signed_in[k] for k in ("token", "user_id", "email", "role")}
        saved["expires_at"] = time.time() + float(signed_in.get("expires_in", 0))
        write_atomic(self.path, json.dumps(saved))

    def forget(self) -> bool:
        try:
            self.path.unlink()
        except FileNotFoundError:
            return False
        return True


def resolve_user(session: Session, given: str | None) -> str:
    """The --user given, else the logged-in user's id."""
    if given:
        return given
    login = session.load()
    if login:
        return login["user_id"]
    from platform_cli.errors import LoginNeededError

    raise LoginNeededError("which user? give --user, or log in", hint="log in with `platform login EMAIL`")


def request_staff(data_dir: Path, project_dir: Path, email: str, password: str) -> None:
    """Ask the gateway, the only owner of its user store and of its inbox's format, for a staff
    account: run its own entry point (`python -m services.gateway add-staff`) with this Python,
    in the project dir and with the data dir the gateway runs with. Local only, never HTTP.
    StaffRequestError with the gateway's one-line reason when it refuses."""
    import os
    import subprocess
    import sys

    from platform_cli.errors import PlatformError

    command = [sys.executable, "-m", "services.gateway", "add-staff", email]
    env = {**os.environ, "PLATFORM_DATA_DIR": str(data_dir)}
    try:
        done = subprocess.run(command, input=password + "\n", env=env, cwd=project_dir, capture_output=True,
                              text=True, timeout=STAFF_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise PlatformError(f"the gateway took longer than {STAFF_TIMEOUT_S}s to take the staff request") from None
    if done.returncode == 0:
        return
    said = [line.strip() for line in done.stderr.splitlines() if line.strip()]
    if any("No module named" in line for line in said):  # the CLI installed without the services extra
        raise PlatformError("the gateway's code is not installed with this Python: " + said[-1],
                            hint="install the services too: pip install 'platform-cli[services]' (make up does)")
    raise PlatformError(said[-1] if said else f"the gateway's add-staff failed (exit {done.returncode})")


STAFF_TIMEOUT_S = 60  # an import, one zxcvbn estimate and one scrypt hash: about a second
