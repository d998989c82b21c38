"""procman/ is process management only: it never imports the CLI's presentation (typer, rich,
platform_cli.ui) or its commands, so a command can stay parse -> call -> render and procman can be
driven from the MCP tools, the dashboard or a test without a terminal. Read with ast, not by
importing, so an import inside a function counts too."""

import ast
from pathlib import Path

import platform_cli

PACKAGE = Path(platform_cli.__file__).parent
FORBIDDEN = ("typer", "rich", "platform_cli.ui", "platform_cli.commands", "platform_cli.app")


def _imports(path: Path) -> set[str]:
    """Every module a file imports, relative imports made absolute."""
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _offending(folder: str) -> dict[str, list[str]]:
    offending = {}
    for path in sorted((PACKAGE / folder).rglob("*.py")):
        bad = sorted(m for m in _imports(path) if any(m == f or m.startswith(f + ".") for f in FORBIDDEN))
        if bad:
            offending[str(path.relative_to(PACKAGE))] = bad
    return offending


def test_procman_imports_no_typer_rich_ui_or_commands():
    assert _offending("procman") == {}


def test_clients_import_no_typer_rich_ui_or_commands():
    assert _offending("clients") == {}


def test_the_walk_sees_an_import_inside_a_function():
    # The check above is only worth something if it sees the lazy imports the CLI uses everywhere.
    sample = PACKAGE / "commands" / "lifecycle.py"
    assert {"typer", "platform_cli.ui.progress", "platform_cli.procman.orchestrator"} <= _imports(sample)
