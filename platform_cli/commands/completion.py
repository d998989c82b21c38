"""Shell completion of process names: what a `[NAME]...` argument offers on Tab.

It reads the Procfile the command line points at (`-f`, env, or the default one), as the command
itself would, and offers nothing when there is none: Tab must never print an error.
"""

from __future__ import annotations

import click


def process_names(ctx: click.Context, incomplete: str) -> list[str]:
    from platform_cli.errors import PlatformError
    from platform_cli.workspace import Workspace

    root = ctx.find_root().params
    try:
        names = Workspace(root.get("procfile"), root.get("data_dir")).project.names
    except (PlatformError, OSError):
        return []
    given = set(ctx.params.get("names") or [])
    return [n for n in names if n.startswith(incomplete) and n not in given]
