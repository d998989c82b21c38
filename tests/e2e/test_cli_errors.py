"""Bad input and a missing daemon: one `error:` line, a documented exit code, never a traceback."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import WEB


def _one_error(result, code: int, starts: str) -> None:
    assert result.returncode == code, (result.returncode, result.stderr)
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"error: {starts}"), lines
    assert sum(line.startswith("error:") for line in lines) == 1
    assert "Traceback" not in result.stderr


def test_missing_procfile(project):
    result = project.run("up")
    _one_error(result, 6, f"no Procfile in {project.root} or any folder above it")
    assert result.stderr.splitlines()[1].startswith("hint: ")
    _one_error(project.run("-f", "Procfile", "up"), 6, f"no Procfile at {project.root / 'Procfile'}")


@pytest.mark.parametrize(
    "procfile, message",
    [
        ("web: ok\n  indented: no\n", "{p}:2: malformed Procfile line"),
        ("web: a\nweb: b\n", "{p}:2: duplicate process name 'web' (first defined on line 1)"),
        ("# nothing\n\n", "{p}: the Procfile declares no processes"),
        ("platform-events: x\n", "{p}:1: 'platform-events' is reserved"),
    ],
)
def test_malformed_procfile_names_the_line(project, procfile, message):
    (project.root / "Procfile").write_text(procfile)
    _one_error(project.run("status"), 6, message.format(p=project.root / "Procfile"))


def test_bad_platform_toml(project):
    project.write({"web": f"{WEB} # $PORT"})
    (project.root / "platform.toml").write_text('[web]\nprobe = "smtp"\n')
    _one_error(project.run("up"), 6, "platform.toml [web]: probe must be one of")


def test_status_with_supervisord_down_says_how_to_start_it(project):
    project.write({"web": f"{WEB} # $PORT"})
    result = project.run("status")
    _one_error(result, 4, "supervisord is not running")
    assert "hint: start it with `platform up`" in result.stderr


def test_unknown_process_lists_the_known_ones(project):
    project.write({"web": f"{WEB} # $PORT", "worker": "sleep 100"})
    project.ok("up")
    result = project.run("restart", "nope")
    _one_error(result, 7, "unknown process: nope")
    assert "hint: known processes: web, worker" in result.stderr


def test_start_needs_names_or_all(project):
    project.write({"web": f"{WEB} # $PORT"})
    result = project.run("start")
    assert result.returncode == 2 and "name the processes, or use --all" in result.stderr
