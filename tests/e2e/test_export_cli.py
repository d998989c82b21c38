"""`platform export` and `platform import` through the real CLI, in a copy of the repository's project."""

import re
import shutil
import stat
import tomllib

from platform_cli.procman.procfile import load_procfile
from tests.unit.exporting import REPO, SECRET


def copy_repo_project(project):
    for name in ("Procfile", "platform.toml"):
        shutil.copy(REPO / name, project.root / name)
    (project.root / ".env").write_text(f"GATEWAY_JWT_SECRET={SECRET}\nTTS_ENGINE=espeak\n")


def test_export_writes_every_engine_into_deploy_with_secrets_0600(project):
    copy_repo_project(project)
    for engine in ("compose", "kubernetes", "systemd"):
        out = project.ok("export", engine).stdout
        assert f"deploy/{engine}/" in out and "next: " in out
        assert "note: dashboard is not exported: the dashboard shows a platform's supervisord" in out, out
        assert not list((project.root / "deploy" / engine).glob("*dashboard*"))
    deploy = project.root / "deploy"
    assert (deploy / "compose" / "compose.yaml").exists() and (deploy / "kubernetes" / "orders.yaml").exists()
    secret_files = {p.relative_to(deploy).as_posix() for p in deploy.rglob("*") if p.is_file() and SECRET in p.read_text()}
    assert secret_files == {"compose/.env", "kubernetes/secret.yaml", "systemd/platform.env"}
    assert all(stat.S_IMODE((deploy / f).stat().st_mode) == 0o600 for f in secret_files)


def test_export_then_import_compose_round_trips_through_the_cli(project):
    copy_repo_project(project)
    project.ok("export", "compose", "-o", "out")
    result = project.ok("import", "compose", "out/compose.yaml", "-o", "back")
    assert "notes:" in result.stdout and SECRET not in result.stdout
    # The same Procfile but for the dashboard, which is not exported (it shows a platform's supervisord).
    assert load_procfile(project.root / "back" / "Procfile") == {n: c for n, c in load_procfile(REPO / "Procfile").items() if n != "dashboard"}
    # The same settings, table for table (comments aside).
    settings = tomllib.loads((REPO / "platform.toml").read_text())
    del settings["dashboard"]
    assert tomllib.loads((project.root / "back" / "platform.toml").read_text()) == settings


def test_import_never_replaces_a_procfile_without_force(project):
    copy_repo_project(project)
    project.ok("export", "compose", "-o", "out")
    refused = project.run("import", "compose", "out/compose.yaml")
    assert refused.returncode == 1
    assert refused.stderr.startswith("error: Procfile, platform.toml already in") and "hint: " in refused.stderr
    assert project.ok("import", "compose", "out/compose.yaml", "--force").returncode == 0


def test_bad_input_is_one_error_line_and_exit_6(project):
    copy_repo_project(project)
    (project.root / "eco.yaml").write_text("apps: [\n")
    for args in (("import", "pm2", "eco.yaml"), ("import", "compose", "missing.yaml"), ("export", "compose", "--stateless", "nope")):
        result = project.run(*args)
        assert result.returncode in (6, 7), (args, result.stderr)
        assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr


def test_a_service_listens_on_bind_host_in_a_container_and_on_127_0_0_1_otherwise(tmp_path):
    import os
    import subprocess
    import sys

    import psutil

    from tests.helpers import die_with_parent, free_port, wait_until

    for bind, expected in ((None, "127.0.0.1"), ("0.0.0.0", "0.0.0.0")):
        port = free_port()
        env = {**os.environ, "PORT": str(port), "PLATFORM_DATA_DIR": str(tmp_path / "data"), "REDIS_URL": f"redis://127.0.0.1:{free_port()}"}
        env.pop("BIND_HOST", None)
        if bind:
            env["BIND_HOST"] = bind
        proc = subprocess.Popen([sys.executable, "-m", "services.orders"], cwd=REPO, env=env, preexec_fn=die_with_parent,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        try:
            listening = wait_until(
                lambda proc=proc, port=port: [c.laddr.ip for c in psutil.Process(proc.pid).net_connections("tcp")
                                              if c.status == "LISTEN" and c.laddr.port == port],
                timeout=20, what=f"orders listening on {port}",
            )
            assert listening == [expected]
        finally:
            proc.terminate()
            proc.wait(20)


def test_a_redis_password_in_dotenv_is_one_error_line_naming_the_one_way(project):
    copy_repo_project(project)
    with open(project.root / ".env", "a") as env:
        env.write("REDIS_PASSWORD=from-an-older-export\n")
    result = project.run("export", "compose")
    assert result.returncode == 6 and result.stderr.startswith("error: REDIS_PASSWORD in .env"), result.stderr
    assert "password = true" in result.stderr and "Traceback" not in result.stderr
    assert not (project.root / "deploy").exists()


def test_the_exported_redis_password_is_fresh_and_only_in_the_0600_secret_files(project):
    copy_repo_project(project)
    from platform_cli.procman.passwords import load_passwords
    from platform_cli.procman.project import load_project

    # The local password, as the first `up` makes it (data/secrets/redis.password).
    local = load_passwords(load_project(project.root / "Procfile", 5000, {}), project.data, create=True)["redis"]
    for engine in ("compose", "kubernetes", "systemd"):
        project.ok("export", engine)
    deploy = project.root / "deploy"
    texts = {p.relative_to(deploy).as_posix(): p.read_text() for p in deploy.rglob("*") if p.is_file()}
    assert not any(local in text for text in texts.values())
    password = re.search(r"^REDIS_PASSWORD='([A-Za-z0-9_-]{43})'$", texts["compose/.env"], re.M).group(1)
    assert [name for name, text in texts.items() if password in text] == ["compose/.env"]
