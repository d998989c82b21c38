"""A rendered launch script, run by the real /bin/sh, gives the program exactly its environment."""

import subprocess

from platform_cli.procman.project import load_project
from platform_cli.procman.supervisor_conf import make_programs


def test_the_program_sees_every_value_byte_for_byte(tmp_path):
    nasty = "it's \"quoted\" ; # not a comment %(here)s $HOME `uname` \\ end"
    (tmp_path / "Procfile").write_text("show: env -0\n")
    project = load_project(tmp_path / "Procfile", 5000, {"NASTY": nasty, "EMPTY": ""})
    [program] = make_programs(project, tmp_path / "data", "/venv/bin", "/usr/bin:/bin")
    script = tmp_path / program.script_name
    script.write_text(program.script)
    out = subprocess.run(["/bin/sh", str(script)], capture_output=True, check=True, env={}).stdout
    env = dict(item.split(b"=", 1) for item in out.split(b"\0") if item)
    assert env[b"NASTY"] == nasty.encode() and env[b"EMPTY"] == b""
    assert env[b"PLATFORM_PROCESS"] == b"show" and env[b"PYTHONUNBUFFERED"] == b"1"
