import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from platform_cli.procman.export.bundle import write_bundle
from platform_cli.procman.export.systemd import render_systemd, systemd_exec_quote
from tests.unit.exporting import SECRET, repo_project

SYSTEMD_ANALYZE = shutil.which("systemd-analyze")
needs_systemd = pytest.mark.skipif(not SYSTEMD_ANALYZE, reason="systemd-analyze is not installed: the units are not verified here")


def export(tmp_path, dotenv=None):
    project = repo_project(tmp_path, dotenv or {"GATEWAY_JWT_SECRET": SECRET})
    out = tmp_path / "units"
    files = render_systemd(project, dotenv or {"GATEWAY_JWT_SECRET": SECRET}, out, tmp_path / "data", sys.executable, None)
    write_bundle(files, out)
    return files, out


def verify(paths: list[Path]) -> subprocess.CompletedProcess:
    return subprocess.run([SYSTEMD_ANALYZE, "verify", *map(str, paths)], capture_output=True, text=True, timeout=60)


@needs_systemd
def test_systemd_analyze_verifies_every_unit(tmp_path):
    _, out = export(tmp_path)
    units = sorted(out.glob("*.service")) + sorted(out.glob("*.target"))
    assert len(units) == 11  # platform.target, and a target and a unit for each process but the dashboard
    run = verify(units)
    assert run.returncode == 0, run.stderr


@needs_systemd
def test_the_verification_can_fail(tmp_path):
    _, out = export(tmp_path)
    unit = out / "platform-orders-1.service"
    unit.write_text(unit.read_text().replace("ExecStart=/bin/sh", "ExecStart=bin/sh"))
    assert verify([unit]).returncode != 0


def test_one_target_for_the_platform_one_per_process_one_service_per_instance(tmp_path):
    files, _ = export(tmp_path)
    wants = "Wants=platform-redis.target platform-orders.target platform-delivery.target platform-tts.target platform-gateway.target"
    assert wants in files["platform.target"].text
    assert "Wants=platform-orders-1.service" in files["platform-orders.target"].text
    assert "PartOf=platform.target" in files["platform-orders.target"].text


def test_units_restart_and_follow_depends_on_and_readiness(tmp_path):
    files, _ = export(tmp_path)
    gateway = files["platform-gateway-1.service"].text
    for dep in ("orders", "delivery", "tts"):
        assert f"Requires=platform-{dep}.target\nAfter=platform-{dep}.target\n" in gateway
    assert "Restart=always" in gateway and "KillMode=mixed" in gateway and "TimeoutStopSec=10" in gateway
    assert f"ExecStartPost={sys.executable} -m platform_cli.procman.healthcheck http:/health 5400 --wait 20" in gateway
    assert 'Environment="ORDERS_URL=http://127.0.0.1:5100"' in gateway
    assert "StartLimitBurst=5" in gateway


def test_dotenv_goes_to_a_0600_environment_file_never_into_a_unit(tmp_path):
    files, out = export(tmp_path)
    assert [n for n, f in files.items() if SECRET in f.text] == ["platform.env"]
    assert (out / "platform.env").stat().st_mode & 0o777 == 0o600
    assert f"EnvironmentFile=-{out / 'platform.env'}" in files["platform-orders-1.service"].text


def test_exec_lines_keep_dollars_and_percents_for_the_shell():
    assert systemd_exec_quote('echo "$PORT" 100%') == '"echo \\"$$PORT\\" 100%%"'


def test_honchos_exporter_still_lays_out_units_as_we_rely_on():
    import inspect

    import jinja2
    from honcho.environ import ProcessParams
    from honcho.export.systemd import Export

    assert "template_env" in inspect.signature(Export.__init__).parameters, "upstream changed: honcho's Export takes no template_env"
    templates = {"master.target": "{{ master_wants }}", "process_master.target": "{{ process_master_wants }}", "process.service": "{{ process.cmd }}"}
    export = Export(template_env=jinja2.Environment(loader=jinja2.DictLoader(templates)))
    files = {f.name: f.content for f in export.render([ProcessParams("web.1", "serve", False, {})], {"app": "app"})}
    assert files == {"app.target": "app-web.target", "app-web.target": "app-web-1.service", "app-web-1.service": "serve"}, (
        f"upstream changed: honcho's systemd layout is now {sorted(files)}"
    )


def test_units_serve_loopback_and_the_host_names_dotenv_adds(tmp_path):
    files, _ = export(tmp_path, {"GATEWAY_JWT_SECRET": SECRET, "PLATFORM_ALLOWED_HOSTS": "devbox.local"})
    assert 'PLATFORM_ALLOWED_HOSTS="devbox.local"' in files["platform.env"].text
    assert "PLATFORM_ALLOWED_HOSTS" not in files["platform-orders-1.service"].text
    (tmp_path / "plain").mkdir()
    files, _ = export(tmp_path / "plain")
    assert "PLATFORM_ALLOWED_HOSTS" not in files["platform.env"].text


def test_a_redis_with_password_true_has_a_generated_one_inside_its_url_in_the_0600_file_only(tmp_path):
    project = repo_project(tmp_path, {})
    files = render_systemd(project, {}, tmp_path / "units", tmp_path / "data", sys.executable, None, passwords={"redis": "chosen-for-this-test-0123456789"})
    assert 'REDIS_URL="redis://:chosen-for-this-test-0123456789@127.0.0.1:5000"' in files["platform.env"].text
    assert [n for n, f in files.items() if "chosen-for-this-test" in f.text] == ["platform.env"] and files["platform.env"].secret
    assert "REDIS_URL" not in files["platform-orders-1.service"].text  # platform.env's would override it anyway
    # The probe authenticates with the password from that URL, named, never given on the line.
    assert "healthcheck redis 5000 --wait 20 --password-from REDIS_URL\n" in files["platform-redis-1.service"].text
    assert "--password-from" not in files["platform-orders-1.service"].text


def test_each_export_makes_a_fresh_password_never_the_local_one(tmp_path):
    from platform_cli.procman.passwords import load_passwords

    project = repo_project(tmp_path, {})
    local = load_passwords(project, tmp_path / "data", create=True)["redis"]
    texts = [render_systemd(project, {}, tmp_path / "u", tmp_path / "data", sys.executable, None)["platform.env"].text for _ in range(2)]
    assert local not in texts[0] and local not in texts[1] and texts[0] != texts[1]


def test_stop_signal_and_restart_policy_become_killsignal_and_restart(tmp_path):
    from platform_cli.procman.project import load_project

    (tmp_path / "Procfile").write_text("web: python -m web\nmigrate: python -m migrate\n")
    (tmp_path / "platform.toml").write_text('[web]\nstop_signal = "INT"\n[migrate]\nkind = "task"\n')
    project = load_project(tmp_path / "Procfile", 5000, {})
    files = render_systemd(project, {}, tmp_path / "units", tmp_path / "data", sys.executable, None)
    units = {name: f.text for name, f in files.items() if name.endswith(".service")}
    web = next(text for name, text in units.items() if "web" in name)
    migrate = next(text for name, text in units.items() if "migrate" in name)
    assert "KillSignal=SIGINT" in web and "Restart=always" in web
    assert "KillSignal" not in migrate and "Restart=no" in migrate


def test_an_inferred_http_probe_waits_for_any_answer_below_500(tmp_path):
    from platform_cli.procman.project import load_project

    (tmp_path / "Procfile").write_text("web: python -m http.server $PORT\n")
    files = render_systemd(load_project(tmp_path / "Procfile", 5000, {}), {}, tmp_path / "units", tmp_path / "data", sys.executable, None)
    assert f"ExecStartPost={sys.executable} -m platform_cli.procman.healthcheck http:/health --any-answer 5000 --wait 20\n" \
        in files["platform-web-1.service"].text


def test_the_dashboard_gets_no_unit(tmp_path):
    files, _ = export(tmp_path)
    assert not [name for name in files if "dashboard" in name]
    assert "dashboard" not in files["platform.target"].text
