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


def request_staff(data_dir: Path, email: str, password_hash: str) -> Path:
    """Ask the gateway, the only owner of its user store, to make or promote a staff account.

    The request is a 0600 file in data/gateway/inbox: local only, never HTTP. The gateway
    applies it at its next start or sign-in, whichever comes first.
    """
    from platform_cli.procman.atomicfile import private_dirs, write_atomic

    inbox = data_dir / "gateway" / "inbox"
    private_dirs(inbox)
    path = inbox / f"{time.time_ns()}.json"
    write_atomic(path, json.dumps({"email": email, "password": password_hash, "role": "staff"}), exclusive=True)
    return path
