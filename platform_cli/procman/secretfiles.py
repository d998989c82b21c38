"""The exported image's entry point: compose secrets become environment variables.

docker compose hands a secret to a container as a file, /run/secrets/<NAME>; the processes read
theirs from the environment, as under `platform`. This exports each such file whose name is a
valid variable name as that variable, then execs the command unchanged:

    ENTRYPOINT ["python", "-m", "platform_cli.procman.secretfiles"]

Kubernetes needs none of it (its Secret arrives through `envFrom`), and a container without
secrets just runs its command.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

SECRETS_DIR = Path("/run/secrets")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def load_secret_files(directory: Path) -> dict[str, str]:
    """NAME -> content (one trailing newline removed) for each plain file named like a variable."""
    values: dict[str, str] = {}
    if not directory.is_dir():
        return values
    for path in sorted(directory.iterdir()):
        if _NAME.fullmatch(path.name) and path.is_file():
            text = path.read_text(encoding="utf-8")
            values[path.name] = text[:-1] if text.endswith("\n") else text
    return values


def main(argv: list[str] | None = None, directory: Path = SECRETS_DIR) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        sys.exit("usage: python -m platform_cli.procman.secretfiles COMMAND [ARG...]")
    os.environ.update(load_secret_files(directory))
    try:
        os.execvp(argv[0], argv)
    except OSError as exc:
        sys.exit(f"error: cannot run {argv[0]}: {exc.strerror}")


if __name__ == "__main__":
    main()
