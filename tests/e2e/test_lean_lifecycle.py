"""Plain `up`, `start`, `stop` and `down` (launcher.py) against the Typer commands, on a real
daemon: the same lines and exit codes, without importing typer, click, rich or jinja2 on a pipe."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.e2e.conftest import WEB

TYPER = "import sys; sys.argv = ['platform', *sys.argv[1:]]; from platform_cli.app import main; main()"
HEAVY = ("typer", "click", "rich", "jinja2")


def _run(project, how: str, *args: str, importtime: bool = False) -> subprocess.CompletedProcess:
    env = project.environ()
    env.pop("COLUMNS", None)
    head = ["-m", "platform_cli"] if how == "lean" else ["-c", TYPER]
    if importtime:
        head = ["-X", "importtime", *head]
    return subprocess.run([sys.executable, *head, *args], cwd=project.root, env=env, capture_output=True, text=True, timeout=120)


def _shape(text: str) -> list[str]:
    """What does not tick: numbers (pids, seconds, ports) as N, cpu and memory as `-`, runs of
    blanks as one; the lines sorted, since whether `worker` is told to wait depends on how soon web is ready."""
    return sorted(re.sub(r"[ ]+", " ", _UNSAMPLED.sub("-", re.sub(r"\d+(\.\d+)?", "N", line))) for line in text.splitlines()
                  if not line.startswith("  waiting  "))


# cpu and mem come from the daemon's latest sample, which a process just started may not have yet.
_UNSAMPLED = re.compile(r"(?<= )N(%|[kMG]B)(?= |$)")


def _imported(result: subprocess.CompletedProcess) -> set[str]:
    return {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")}


@pytest.fixture
def chain(project):
    """web, and a worker that waits for it: one order of progress lines, whichever path runs."""
    project.write({"web": f"{WEB} # $PORT", "worker": "sleep 1000"},
                  {"web": {"probe": "http:/health"}, "worker": {"depends_on": ["web"]}})
    return project


def test_each_command_prints_what_the_typer_command_prints(chain):
    seen = {}
    for how in ("typer", "lean"):
        steps = [("up",), ("stop", "worker"), ("stop", "--all"), ("start", "--all"), ("stop", "web"), ("start", "worker"), ("down",)]
        for args in steps:
            result = _run(chain, how, *args)
            assert result.returncode == 0, (how, args, result.stdout, result.stderr)
            seen.setdefault(args, []).append(result)
    for args, (typer, lean) in seen.items():
        assert _shape(lean.stdout) == _shape(typer.stdout), args
        assert lean.stderr == typer.stderr == "", args
    up = seen[("up",)][1].stdout
    assert "  starting web\n" in up and "\n✓ web ready in " in up and "\n✓ worker ready in " in up
    assert up.splitlines()[-3].split()[:2] == ["name", "state"]  # ends with status's table
    assert seen[("stop", "--all")][1].stdout == "stopped web\n"  # the worker was stopped already
    assert seen[("down",)][1].stdout.startswith("stopped 2 processes and supervisord (pid ")


@pytest.mark.parametrize("args", [("start", "nope"), ("stop", "@nogroup"), ("up", "nope")])
def test_errors_are_the_typer_commands(chain, args):
    chain.ok("up", "web")
    lean, typer = _run(chain, "lean", *args), _run(chain, "typer", *args)
    assert (lean.returncode, lean.stderr, lean.stdout) == (typer.returncode, typer.stderr, typer.stdout)
    assert lean.returncode == 7 and lean.stderr.startswith("error: unknown process")


def test_without_a_daemon_down_and_stop_say_so_as_the_typer_commands_do(chain):
    for args in (("down",), ("stop", "--all"), ("start", "web")):
        lean, typer = _run(chain, "lean", *args), _run(chain, "typer", *args)
        assert (lean.returncode, lean.stderr, lean.stdout) == (typer.returncode, typer.stderr, typer.stdout), args


def test_on_a_pipe_they_import_no_typer_click_rich_or_jinja2(chain):
    for args in (("up",), ("stop", "--all"), ("start", "--all"), ("down",)):
        result = _run(chain, "lean", *args, importtime=True)
        imported = _imported(result)
        assert result.returncode == 0, (args, result.stderr[-2000:])
        assert "platform_cli.lifecycle_run" in imported  # the check reads the real import list
        assert not {name for name in imported if name.split(".")[0] in HEAVY}, args


def test_what_the_lean_path_does_not_know_goes_to_typer(chain):
    result = _run(chain, "lean", "start", importtime=True)  # neither names nor --all: click's error
    assert result.returncode == 2 and "error: Invalid value: name the processes, or use --all" in result.stderr
    assert "typer" in _imported(result)
