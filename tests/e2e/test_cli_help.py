"""The CLI as a shell sees it: `--version`, completion scripts and completion of process names,
and "did you mean" for a mistyped process name."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import version

from tests.e2e.conftest import WEB


def _platform(*args: str, cwd, env: dict | None = None) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PLATFORM_", "_PLATFORM"))}
    return subprocess.run([sys.executable, "-m", "platform_cli", *args], cwd=cwd, env={**base, **(env or {})},
                          capture_output=True, text=True, timeout=30)


def test_version_prints_the_installed_package_version(tmp_path):
    result = _platform("--version", cwd=tmp_path)  # no Procfile needed
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"platform {version('platform-cli')}\n"


def test_show_completion_prints_a_bash_script(tmp_path):
    result = _platform("--show-completion", "bash", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "complete -o default -F _platform_completion platform" in result.stdout
    assert "_PLATFORM_COMPLETE=complete_bash" in result.stdout


def test_install_completion_writes_the_script_into_the_shells_rc(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    result = _platform("--install-completion", "bash", cwd=tmp_path, env={"HOME": str(home)})
    assert result.returncode == 0, result.stderr
    assert "_PLATFORM_COMPLETE=complete_bash" in (home / ".bash_completions" / "platform.sh").read_text()
    assert "platform.sh" in (home / ".bashrc").read_text()


def _complete(words: str, cwd) -> list[str]:
    env = {"_PLATFORM_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(len(words.split(" ")) - 1)}
    result = _platform(cwd=cwd, env=env)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    return result.stdout.split()


def test_completion_offers_commands_and_the_procfiles_process_names(project):
    project.write({"web": f"{WEB} # $PORT", "worker": "sleep 100", "webhook": "sleep 100"})
    assert _complete("platform st", project.root) == ["start", "stop", "status", "startup"]
    assert _complete("platform restart w", project.root) == ["web", "worker", "webhook"]
    assert _complete("platform logs web w", project.root) == ["worker", "webhook"]  # not twice


def test_completion_without_a_procfile_offers_nothing_and_prints_no_error(tmp_path):
    assert _complete("platform stop w", tmp_path) == []


def test_a_mistyped_process_name_gets_did_you_mean(project):
    project.write({"web": f"{WEB} # $PORT", "worker": "sleep 100"})
    result = project.run("status", "wrker")
    assert result.returncode == 7
    assert result.stderr.splitlines() == ["error: unknown process: wrker",
                                          "hint: did you mean worker? known processes: web, worker"]
