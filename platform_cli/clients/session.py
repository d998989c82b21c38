"""The CLI's login: a token from the gateway, kept 0600 under the data dir, never in a command line."""

from __future__ import annotations

import json
import os
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
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        saved = {k: signed_in[k] for k in ("token", "user_id", "email", "role")}
        saved["expires_at"] = time.time() + float(signed_in.get("expires_in", 0))
        tmp = self.path.with_name(self.path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(saved, f)
        os.replace(tmp, self.path)

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
    inbox = data_dir / "gateway" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = inbox / f"{time.time_ns()}.json"
    fd = os.open(path.with_suffix(".tmp"), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump({"email": email, "password": password_hash, "role": "staff"}, f)
    os.replace(path.with_suffix(".tmp"), path)
    return path
