"""Which processes an export carries: every one but platform's own dashboard.

The dashboard (the Procfile line running the package in platform_cli/dashboard/, never imported
here) shows a platform's supervisord: its processes, their logs, restart buttons. Under compose,
Kubernetes or systemd no supervisord of platform's runs, so an exported dashboard would show
nothing and fail its probe; exports leave it out, drop it from the others' `depends_on`, and the
command says so (NOTE).
"""

from __future__ import annotations

import re
from dataclasses import replace

from platform_cli.procman.project import Project, ProcessSpec

NOTE = "is not exported: the dashboard shows a platform's supervisord, which {engine} does not run"
# The package's dotted name (or its path) as a word of the command, not a prefix of another's.
_DASHBOARD = re.compile(r"(?<![\w.])platform_cli[./]dashboard(?![\w.])")


def is_platform_own(spec: ProcessSpec) -> bool:
    """True for a process running platform's dashboard, whatever its Procfile name."""
    return bool(_DASHBOARD.search(spec.command))


def left_out(project: Project) -> list[str]:
    """The processes an export leaves out, in Procfile order."""
    return [name for name, spec in project.processes.items() if is_platform_own(spec)]


def exported(project: Project) -> Project:
    """The project without them, nothing left depending on them."""
    gone = set(left_out(project))
    if not gone:
        return project
    kept = {}
    for name, spec in project.processes.items():
        if name in gone:
            continue
        if gone.intersection(spec.depends_on):
            spec = replace(spec, depends_on=tuple(d for d in spec.depends_on if d not in gone),
                           conditions={d: c for d, c in spec.conditions.items() if d not in gone})
        kept[name] = spec
    return Project(project.dir, kept)
