"""Staff accounts asked for on this machine: the inbox's file format, its one writer and its one reader.

The gateway is the user store's only owner, and staff accounts are never made over HTTP. So
`platform user add --staff` runs `python -m services.gateway add-staff EMAIL` (the password on
stdin), which checks the email and password with the gateway's own policy (credentials.py),
hashes the password as the store does (auth.py), and leaves a 0600 request file in
<data dir>/gateway/inbox; the gateway applies it at its next start or sign-in. The CLI never
learns this format: it only runs the entry point.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

from werkzeug.security import generate_password_hash

from services.common.atomicfile import make_private_dir, write_private
from services.common.errors import ApiError
from services.gateway.credentials import check_email, check_password

SUFFIX = ".json"
REJECTED = ".rejected"  # a request that could not be read is kept, renamed, for a person to look at


def inbox_dir(data_dir: Path) -> Path:
    return data_dir / "gateway" / "inbox"


def request_staff(data_dir: Path, email: str, password: str) -> Path:
    """Leave a request for a staff account (made, or an existing account promoted, with this
    password). ApiError (invalid_field) for an email or password the gateway would refuse."""
    email = check_email(email)
    password = check_password(password, email)
    inbox = inbox_dir(data_dir)
    make_private_dir(inbox)
    path = inbox / f"{time.time_ns()}{SUFFIX}"
    request = {"email": email, "password": generate_password_hash(password), "role": "staff"}
    write_private(path, json.dumps(request).encode(), exclusive=True)
    return path


def pending(inbox: Path) -> Iterator[tuple[Path, str, str]]:
    """(file, email, password hash) for each request, oldest first; one that cannot be read is
    renamed *.rejected and skipped. The caller deletes each file once it has applied it."""
    for path in sorted(inbox.glob(f"*{SUFFIX}")) if inbox.is_dir() else []:
        try:
            wanted = json.loads(path.read_text())
            email, password_hash = check_email(wanted["email"]), wanted["password"]
            if not isinstance(password_hash, str):
                raise ValueError("the password hash is not a string")
        except (OSError, ValueError, KeyError, TypeError, ApiError):
            path.rename(path.with_suffix(REJECTED))
            continue
        yield path, email, password_hash
