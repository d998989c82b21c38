"""Shared by the export and import tests: the repository's own project in a temp dir, and
ProcessSpecs carrying the settings another change adds to platform.toml (instances, max_memory)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, fields
from pathlib import Path

from platform_cli.procman.project import Project, ProcessSpec, load_project

REPO = Path(__file__).resolve().parents[2]
SECRET = "s3cr3t-value-never-inline"


def repo_project(tmp_path: Path, dotenv: dict[str, str] | None = None) -> Project:
    """The repository's Procfile and platform.toml, loaded from a copy (never the repo's data/)."""
    for name in ("Procfile", "platform.toml"):
        shutil.copy(REPO / name, tmp_path / name)
    return load_project(tmp_path / "Procfile", 5000, dotenv or {})


@dataclass(frozen=True)
class FutureSpec(ProcessSpec):
    instances: int = 1
    max_memory: object = None


def with_settings(project: Project, **per_process: dict) -> Project:
    """The same project, its specs carrying instances/max_memory as platform.toml will."""
    specs = {}
    for name, spec in project.processes.items():
        base = {f.name: getattr(spec, f.name) for f in fields(ProcessSpec)}
        specs[name] = FutureSpec(**{**base, **per_process.get(name, {})})
    return Project(project.dir, specs)
