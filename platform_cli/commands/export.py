"""export compose|kubernetes|systemd, and import pm2|compose: to and from other engines."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from platform_cli.workspace import Workspace

exports = typer.Typer(help="Write the project (Procfile, platform.toml, .env) for another engine.", no_args_is_help=True)
imports = typer.Typer(help="Write a Procfile and platform.toml from another engine's file.", no_args_is_help=True)

Output = typer.Option(None, "-o", "--output", help="Directory to write to (default: deploy/<engine> beside the Procfile).", show_default=False)
Image = typer.Option("platform-app", "--image", help="The image name the manifests run (built from the exported Dockerfile).")
Stateless = typer.Option(
    None, "--stateless", metavar="NAME", help="A process that keeps nothing under PLATFORM_DATA_DIR: no volume (Kubernetes: a Deployment). Repeatable."
)


@exports.command("compose")
def export_compose(ctx: typer.Context, output: Optional[Path] = Output, image: str = Image, stateless: Optional[list[str]] = Stateless) -> None:
    """A compose.yaml (one service per process), the Dockerfile it builds, and secrets kept out of it."""
    from platform_cli.procman.export.compose import render_compose

    _export(ctx.obj, "compose", output, lambda ws, rel: render_compose(ws.project.by_procfile(), ws.settings.dotenv, rel, _options(image, stateless)),
            "docker compose -f {dir}/compose.yaml up --build")  # fmt: skip


@exports.command("kubernetes")
def export_kubernetes(ctx: typer.Context, output: Optional[Path] = Output, image: str = Image, stateless: Optional[list[str]] = Stateless) -> None:
    """Kubernetes manifests: Services, StatefulSets/Deployments, a ConfigMap, a Secret, and the Dockerfile."""
    from platform_cli.procman.export.kubernetes import render_kubernetes

    _export(ctx.obj, "kubernetes", output, lambda ws, rel: render_kubernetes(ws.project.by_procfile(), ws.settings.dotenv, rel, _options(image, stateless)),
            "docker build -f {dir}/Dockerfile -t IMAGE . && kubectl apply -f {dir}")  # fmt: skip


@exports.command("systemd")
def export_systemd(
    ctx: typer.Context,
    output: Optional[Path] = Output,
    user: Optional[str] = typer.Option(None, "--user", help="The user the units run as (default: you).", show_default=False),
) -> None:
    """systemd units: one per process, a target per process and one for the whole platform."""
    import getpass
    import sys

    from platform_cli.procman.export.systemd import render_systemd

    def render(ws: Workspace, rel: str):
        out = _out_dir(ws, output, "systemd")
        return render_systemd(ws.project.by_procfile(), ws.settings.dotenv, out, ws.settings.data_dir, sys.executable, user or getpass.getuser())

    _export(ctx.obj, "systemd", output, render, "sudo cp {dir}/*.service {dir}/*.target /etc/systemd/system/ && sudo systemctl start platform.target")


@imports.command("pm2")
def import_pm2(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="ecosystem.config.js, .json or .yaml", show_default=False),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Directory for Procfile and platform.toml (default: here).", show_default=False),
    force: bool = typer.Option(False, "--force", help="Replace an existing Procfile and platform.toml."),
) -> None:
    """A Procfile and platform.toml from a PM2 ecosystem file (a .js one is read by node)."""
    from platform_cli.procman.importers.pm2 import load_ecosystem, parse_pm2

    _import(parse_pm2(load_ecosystem(file), file.name), output, force)


@imports.command("compose")
def import_compose(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="compose.yaml", show_default=False),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Directory for Procfile and platform.toml (default: here).", show_default=False),
    force: bool = typer.Option(False, "--force", help="Replace an existing Procfile and platform.toml."),
) -> None:
    """A Procfile and platform.toml from a compose file."""
    from platform_cli.procman.importers.compose import parse_compose
    from platform_cli.procman.importers.pm2 import parse_document, read_text

    _import(parse_compose(parse_document(read_text(file, "compose file"), file), file.name), output, force)


def _options(image: str, stateless: Optional[list[str]]):
    from platform_cli.procman.export.containers import ExportOptions

    return ExportOptions(image=image, stateless=frozenset(stateless or ()))


def _out_dir(ws: Workspace, output: Optional[Path], engine: str) -> Path:
    import os

    return Path(os.path.abspath(output)) if output else ws.settings.project_dir / "deploy" / engine


def _export(ws: Workspace, engine: str, output: Optional[Path], render, next_step: str) -> None:
    import os

    from platform_cli.procman.export.bundle import write_bundle
    from platform_cli.procman.export.selection import NOTE, left_out

    out = _out_dir(ws, output, engine)
    rel = os.path.relpath(out, ws.settings.project_dir)
    files = render(ws, rel)
    written = write_bundle(files, out)
    for path, file in zip(written, files.values(), strict=True):
        typer.echo(f"wrote {os.path.relpath(path)}" + ("  (secret values, 0600: keep it out of git)" if file.secret else ""))
    for name in left_out(ws.project.by_procfile()):
        typer.echo(f"note: {name} " + NOTE.format(engine={"kubernetes": "Kubernetes"}.get(engine, engine)))
    typer.echo("next: " + next_step.format(dir=os.path.relpath(out)))


def _import(result, output: Optional[Path], force: bool) -> None:
    import os
    import tempfile

    from platform_cli.errors import PlatformError
    from platform_cli.procman.export.bundle import ExportFile, write_bundle
    from platform_cli.procman.project import OPTIONS_FILE, load_project

    out = Path(os.path.abspath(output or "."))
    targets = {"Procfile": ExportFile(result.procfile), OPTIONS_FILE: ExportFile(result.options or "# No settings needed: platform's defaults fit.\n")}
    existing = [name for name in targets if (out / name).exists()]
    if existing and not force:
        raise PlatformError(f"{', '.join(existing)} already in {out}", hint="import into another directory with -o, or replace them with --force")
    with tempfile.TemporaryDirectory() as scratch:  # what `platform up` would say about them, before they land
        write_bundle(targets, Path(scratch))
        load_project(Path(scratch) / "Procfile", 5000, {})
    for path in write_bundle(targets, out):
        typer.echo(f"wrote {os.path.relpath(path)}")
    if result.notes:
        typer.echo("notes:")
        for note in result.notes:
            typer.echo(f"  - {note}")
