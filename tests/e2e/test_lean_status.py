"""A plain `platform status` (launcher.py) against the Typer command, on a real daemon: the same
table, JSON, errors and exit codes, without importing typer, click or rich."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.e2e.conftest import WEB
from tests.helpers import wait_until

# The Typer command itself, as `platform` ran it before launcher.py: app.main with the same argv.
TYPER = "import sys; sys.argv = ['platform', *sys.argv[1:]]; from platform_cli.app import main; main()"
HEAVY = ("typer", "click", "rich")


def _run(project, how: str, *args: str, columns: str | None = None) -> subprocess.CompletedProcess:
    env = project.environ()
    env.pop("COLUMNS", None)
    if columns:
        env["COLUMNS"] = columns
    head = ["-m", "platform_cli"] if how == "lean" else ["-c", TYPER]
    return subprocess.run([sys.executable, *head, *args], cwd=project.root, env=env, capture_output=True, text=True, timeout=60)


def _same(project, *args: str, columns: str | None = None) -> subprocess.CompletedProcess:
    """Both paths, one right after the other, until they agree: uptimes and the probe's age tick
    every second, so a pair may straddle one; a difference in shape never goes away."""
    pairs = []

    def agree():
        pair = (_run(project, "lean", *args, columns=columns), _run(project, "typer", *args, columns=columns))
        pairs.append(pair)
        return all((a.stdout, a.stderr, a.returncode) == (b.stdout, b.stderr, b.returncode) for a, b in [pair]) and pair[0]

    try:
        return wait_until(agree, timeout=30, interval=0, what=f"status {' '.join(args)} the same both ways")
    except AssertionError:
        lean, typer = pairs[-1]
        assert (lean.stdout, lean.stderr, lean.returncode) == (typer.stdout, typer.stderr, typer.returncode)
        raise


@pytest.fixture
def running(three_states):
    return three_states


@pytest.mark.parametrize("columns", [None, "80", "60", "200"])
def test_the_table_is_the_typer_commands_to_the_byte(running, columns):
    result = _same(running, "status", columns=columns)
    assert result.returncode == 3  # `down` is stopped
    assert result.stdout.splitlines()[0].split()[:2] == ["name", "state"] and "STOPPED" in result.stdout


def test_names_and_root_options_as_the_typer_command_takes_them(running):
    assert _same(running, "status", "web").returncode == 0
    result = _same(running, "-f", str(running.root / "Procfile"), "--data-dir", str(running.data), "status", "web", "down")
    assert [line.split()[0] for line in result.stdout.splitlines()] == ["name", "web", "down"]


def test_json_is_the_typer_commands_but_for_what_ticks(running):
    def settled(result):
        rows = json.loads(result.stdout)
        for row in rows:  # seconds since start and since the last probe, and the latest sample
            row.pop("uptime_s"), row["health"].pop("age_s"), row.pop("cpu_percent"), row.pop("memory_bytes")
        return rows, result.returncode

    lean, typer = _run(running, "lean", "status", "--json"), _run(running, "typer", "status", "--json")
    assert settled(lean) == settled(typer) and lean.returncode == 3
    assert lean.stdout.startswith('[\n  {\n    "name": "web"')  # indented as status_json writes it


@pytest.mark.parametrize("args", [["status", "nope"], ["status", "--json", "@nogroup"]])
def test_an_unknown_name_is_the_same_error(running, args):
    result = _same(running, *args)
    assert result.returncode == 7 and result.stderr.startswith("error: unknown process")


def test_errors_without_a_daemon_or_a_procfile_are_the_same(project):
    (project.root / "elsewhere").mkdir()
    missing = _same(project, "status")  # no Procfile here or above
    assert missing.returncode == 6 and missing.stderr.startswith("error: no Procfile")
    project.write({"web": f"{WEB} # $PORT"})
    down = _same(project, "status", "--json")
    assert down.returncode == 4 and down.stderr.startswith("error: supervisord is not running")
    (project.root / "platform.toml").write_text('[web]\nprobe = "smtp"\n')
    bad = _same(project, "--data-dir", str(project.root / "elsewhere"), "status")
    assert bad.returncode == 6 and bad.stderr.startswith("error: platform.toml [web]")


def _imported(project, *args: str) -> tuple[subprocess.CompletedProcess, set[str]]:
    """`platform ARGS` run as a user runs it, and every module it imported (python -X importtime)."""
    env = project.environ()
    env["COLUMNS"] = "80"  # the narrow table too: the short ↺ header, the note on what is left out
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "platform_cli", *args], cwd=project.root, env=env,
                            capture_output=True, text=True, timeout=60)
    return result, {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")}


@pytest.mark.parametrize("args", [["status"], ["status", "--json"], ["status", "web", "down"], ["--data-dir", "data", "status"]])
def test_plain_status_imports_no_typer_click_or_rich(running, args):
    result, imported = _imported(running, *args)
    assert result.returncode == 3 and "down" in result.stdout, result.stderr
    assert "platform_cli.procman.supervisor" in imported  # the check reads the real import list
    assert not {name for name in imported if name.split(".")[0] in HEAVY}


def test_its_errors_import_no_typer_click_or_rich_either(project):
    project.write({"web": f"{WEB} # $PORT"})
    result, imported = _imported(project, "status")
    assert result.returncode == 4 and "error: supervisord is not running" in result.stderr
    assert "platform_cli.launcher" in imported and not {name for name in imported if name.split(".")[0] in HEAVY}


def test_what_the_lean_path_does_not_know_goes_to_typer(running):
    result, imported = _imported(running, "status", "--probe")
    assert result.returncode == 3 and "typer" in imported
