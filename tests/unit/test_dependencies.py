"""Dependencies shaped to their users: the CLI installs only what platform_cli imports.

setup.cfg's install_requires is the CLI's; the `services` extra holds what services/ imports
(Flask, gTTS, lameenc...). Every module of both trees is read with ast (no venv, no imports run),
each third-party name it imports is mapped to the distribution that provides it in this
environment, and that distribution must be declared in the right list: a CLI import of a
services-only library would break `pip install platform-cli` without the extra.
"""

from __future__ import annotations

import ast
import configparser
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.unit
OWN = {"platform_cli", "services", "tests", "bench"}


def _name(requirement: str) -> str | None:
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    return _normal(match.group(1)) if match and not requirement.lstrip().startswith("#") else None


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared() -> dict[str, set[str]]:
    """{"cli": install_requires, "services": ..., "test": ...} as normalised distribution names."""
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    lists = {"cli": config["options"]["install_requires"], **dict(config["options.extras_require"])}
    return {key: {n for line in text.splitlines() if (n := _name(line))} for key, text in lists.items()}


def imported(package: str) -> dict[str, list[str]]:
    """{top-level module: [files importing it]} for every absolute import in package's .py files,
    at module level or inside functions (the CLI's imports are mostly lazy)."""
    found: dict[str, list[str]] = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], []).append(str(path.relative_to(ROOT)))
    return found


def third_party(package: str) -> dict[str, tuple[set[str], list[str]]]:
    """{module: (distributions providing it, files)} for the imports that are neither the
    standard library's nor this repository's own."""
    providers = packages_distributions()
    out = {}
    for module, files in imported(package).items():
        if module in sys.stdlib_module_names or module in OWN:
            continue
        out[module] = ({_normal(d) for d in providers.get(module, [])}, files)
    return out


# Optional CLI features: a module that imports its extra's library only inside the command that
# needs it, and says how to install it when missing (`platform mcp` -> `pip install 'platform-cli[mcp]'`);
# and the dashboard, a Procfile process of its own (`python -m platform_cli.dashboard`), never
# imported by a command: it is a web service, installed with the services' extra as they are.
OPTIONAL_DIRS = {"platform_cli/dashboard/": "services"}


def _optional(path: str) -> str | None:
    if path == "platform_cli/mcp_tools.py":
        return "mcp"
    return next((extra for folder, extra in OPTIONAL_DIRS.items() if path.startswith(folder)), None)


def test_the_cli_imports_only_what_install_requires_declares():
    lists = declared()
    wrong = {module: (dists, files[:3]) for module, (dists, files) in third_party("platform_cli").items()
             if not dists & lists["cli"]
             and not all(_optional(f) and dists & lists[_optional(f)] for f in files)}
    assert not wrong, ("platform_cli imports these, but install_requires does not declare them (a CLI installed "
                       f"without the services extra would fail): {wrong}")


def test_the_services_import_only_what_the_cli_or_the_services_extra_declares():
    lists = declared()
    wrong = {module: (dists, files[:3]) for module, (dists, files) in third_party("services").items()
             if not dists & (lists["cli"] | lists["services"])}
    assert not wrong, f"services/ imports these, declared neither in install_requires nor in the services extra: {wrong}"


def test_the_cli_needs_none_of_the_services_libraries():
    lists = declared()
    for library in ("flask", "gtts", "lameenc", "waitress", "tinydb", "espeakng-loader", "zxcvbn", "werkzeug"):
        assert library not in lists["cli"], f"{library} is the services', not the CLI's"
    assert {"flask", "gtts", "lameenc"} <= lists["services"]
    assert not lists["cli"] & lists["services"], "a library is declared twice"


def test_the_cli_never_imports_the_services():
    assert "services" not in imported("platform_cli"), "the CLI reaches the services over HTTP or as a process"


def test_the_walk_sees_what_the_cli_imports():
    # Guards the test itself: a walk that found nothing would let every check above pass.
    modules = third_party("platform_cli")
    assert {"typer", "rich", "supervisor", "jinja2", "yaml"} <= set(modules)
    assert modules["yaml"][0] == {"pyyaml"}


def test_no_command_imports_the_dashboard():
    # The dashboard may use the services' libraries only because no CLI command loads it.
    for path in (ROOT / "platform_cli").rglob("*.py"):
        if not str(path.relative_to(ROOT)).startswith("platform_cli/dashboard/"):
            assert "platform_cli.dashboard" not in path.read_text(), f"{path} imports the dashboard"
