"""Generated passwords for the Procfile's redis processes (`password = true` in platform.toml).

Made once, at the first `up`, into data/secrets/<name>.password (0600 in a 0700 folder, written
whole); then handed to the redis process and its clients inside <NAME>_URL, in the launch
scripts (0600) and the processes' environments (readable by the platform's user only), never on
a command line, which every local user can read. The probe reads the file to authenticate.

`platform export` makes fresh ones (`new_passwords`) rather than reading these: a deployment is
another place with other people able to read its secrets, so a leak there must not open the
laptop's Redis (nor the other way round); the export must not depend on an `up` having run;
and no data moves with it (the exported Redis starts empty), so nothing needs the old password.
"""

from __future__ import annotations

from pathlib import Path

from platform_cli.procman.atomicfile import private_dirs, write_atomic


def new_password() -> str:
    # URL-safe letters only: it goes into URLs, shell words, YAML and .env files without quoting.
    import secrets  # here: `platform status` loads this module but makes no password (hmac, random)

    return secrets.token_urlsafe(32)


def new_passwords(project) -> dict[str, str]:
    """{process: a fresh password} for each process that takes one, for an export."""
    return {spec.name: new_password() for spec in project.processes.values() if spec.password}


def password_path(data_dir: Path, name: str) -> Path:
    return data_dir / "secrets" / f"{name}.password"


def load_passwords(project, data_dir: Path, create: bool = False) -> dict[str, str]:
    """{process: password} for each process that takes one; made when `create` and missing.
    Without `create`, a missing file means no password yet (nothing started with one)."""
    found = {}
    for spec in project.processes.values():
        if not spec.password:
            continue
        path = password_path(data_dir, spec.name)
        if create and not path.exists():
            private_dirs(path.parent)
            try:
                write_atomic(path, new_password(), exclusive=True)
            except FileExistsError:
                pass  # another `up` made it first: use theirs
        try:
            found[spec.name] = path.read_text().strip()
        except FileNotFoundError:
            continue
    return found
