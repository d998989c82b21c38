"""`platform startup`/`unstartup`: the user unit that runs `platform up` at boot.

There is no user systemd in a container, and a test must never enable a real unit on a
developer's machine, so `systemctl` is always a recording stand-in put first on PATH: it writes
its arguments to a file and answers as a user manager would (or as a missing one does).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import WEB

STAND_IN = """#!/bin/sh
# stand-in for systemctl: records its arguments, one call per line, and answers with $EXIT
echo "$*" >> {calls}
if [ {exit} -ne 0 ]; then echo "Failed to connect to bus: No medium found" >&2; fi
exit {exit}
"""


def fake_systemctl(tmp_path: Path, monkeypatch, exit_code: int) -> Path:
    """A stand-in `systemctl` first on PATH; returns the file its calls are recorded in."""
    bindir = tmp_path / "stand-in-bin"
    bindir.mkdir()
    calls = tmp_path / "systemctl-calls"
    script = bindir / "systemctl"
    script.write_text(STAND_IN.format(calls=calls, exit=exit_code))
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}:{Path(sys.executable).parent}:/usr/bin:/bin")
    return calls


def recorded(calls: Path) -> list[str]:
    return calls.read_text().splitlines() if calls.exists() else []


def the_unit(project) -> Path:
    units = list((project.root / ".user-config" / "systemd" / "user").glob("platform-*.service"))
    assert len(units) == 1, units
    return units[0]


def test_startup_without_a_user_systemd_writes_the_unit_enables_nothing_and_prints_a_cron_line(project, tmp_path, monkeypatch):
    calls = fake_systemctl(tmp_path, monkeypatch, exit_code=1)
    project.write({"web": f"{WEB} # $PORT"})
    result = project.ok("startup")
    unit = the_unit(project)
    assert unit.name.startswith(f"platform-{project.root.name.lower().replace('_', '-')}-")
    text = unit.read_text()
    platform = Path(sys.executable).parent / "platform"
    procfile, data = project.root / "Procfile", project.root / "data"
    for line in ("Type=oneshot", "RemainAfterExit=yes", f"WorkingDirectory={project.root}", "WantedBy=default.target",
                 f"ExecStart={platform} -f {procfile} --data-dir {data} up",
                 f"ExecStop={platform} -f {procfile} --data-dir {data} down"):
        assert line in text.splitlines(), f"{line!r} not in\n{text}"
    assert f"wrote {unit}" in result.stdout
    assert "did not enable anything: no user systemd answers here" in result.stdout and "Failed to connect to bus" in result.stdout
    cron = [line.strip() for line in result.stdout.splitlines() if line.strip().startswith("@reboot ")]
    assert cron and f"{platform} -f {procfile} --data-dir {data} up" in cron[0]
    assert "loginctl enable-linger" in result.stdout
    assert recorded(calls) == ["--user daemon-reload"]  # asked whether a manager answers; nothing enabled

    again = project.ok("startup")  # idempotent: the same unit, kept
    assert f"kept (unchanged) {unit}" in again.stdout and unit.read_text() == text


def test_startup_enables_the_unit_and_unstartup_disables_and_removes_it(project, tmp_path, monkeypatch):
    calls = fake_systemctl(tmp_path, monkeypatch, exit_code=0)
    project.write({"web": f"{WEB} # $PORT"})
    result = project.ok("startup")
    unit = the_unit(project)
    assert f"enabled {unit.name}" in result.stdout and "did not enable" not in result.stdout
    assert recorded(calls) == ["--user daemon-reload", f"--user enable {unit.name}"]
    project.ok("startup")
    assert recorded(calls)[2:] == ["--user daemon-reload", f"--user enable {unit.name}"]  # enable is idempotent in systemd

    gone = project.ok("unstartup")
    assert f"removed {unit} and disabled {unit.name}" in gone.stdout and not unit.exists()
    assert recorded(calls)[4:] == [f"--user disable {unit.name}", "--user daemon-reload"]
    again = project.ok("unstartup")  # idempotent: nothing to remove, systemctl not called
    assert "no startup unit for this project" in again.stdout and len(recorded(calls)) == 6


def test_unstartup_without_a_user_systemd_still_removes_the_unit(project, tmp_path, monkeypatch):
    fake_systemctl(tmp_path, monkeypatch, exit_code=1)
    project.write({"web": f"{WEB} # $PORT"})
    project.ok("startup")
    unit = the_unit(project)
    result = project.ok("unstartup")
    assert f"removed {unit} (not disabled: systemctl --user disable: Failed to connect to bus" in result.stdout
    assert not unit.exists()


def test_the_unit_passes_systemd_analyze_verify(project, tmp_path, monkeypatch):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed: the unit's syntax is not checked by systemd here")
    fake_systemctl(tmp_path, monkeypatch, exit_code=1)
    project.write({"web": f"{WEB} # $PORT"})
    project.ok("startup")
    unit = the_unit(project)
    checked = subprocess.run([analyze, "verify", str(unit)], capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stderr
    assert unit.name not in checked.stderr, checked.stderr  # no warning about our unit (unknown keys, bad quoting)


def test_startup_refuses_a_procfile_that_does_not_load(project, tmp_path, monkeypatch):
    calls = fake_systemctl(tmp_path, monkeypatch, exit_code=0)
    (project.root / "Procfile").write_text("this is not a procfile line\n")
    result = project.run("startup")
    assert result.returncode == 6 and result.stderr.startswith("error: ")
    assert not (project.root / ".user-config" / "systemd").exists() and recorded(calls) == []


def test_startup_where_the_config_folder_cannot_be_made_is_one_error_line(project, tmp_path, monkeypatch):
    fake_systemctl(tmp_path, monkeypatch, exit_code=0)
    project.write({"web": f"{WEB} # $PORT"})
    (project.root / ".user-config").write_text("a file where the config folder should be\n")
    result = project.run("startup")
    assert result.returncode == 1, result.stderr
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"error: cannot write {project.root / '.user-config' / 'systemd' / 'user'}/platform-") and "Not a directory" in lines[0]
    assert lines[1].startswith("hint: check that") and "Traceback" not in result.stderr
