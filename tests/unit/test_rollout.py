"""Why a process restarts, in words, from the identities its launch scripts carry."""

from platform_cli.procman.project import load_project
from platform_cli.procman.rollout import describe_change
from platform_cli.procman.supervisor_conf import make_programs, read_identity, read_sections, render_programs, script_of

DEPS = '[web]\ndepends_on = ["redis"]\n[redis]\nprobe = "redis"\n'


def identities(tmp_path, procfile, options=DEPS, dotenv=None):
    (tmp_path / "Procfile").write_text(procfile)
    (tmp_path / "platform.toml").write_text(options)
    project = load_project(tmp_path / "Procfile", 5000, dotenv or {})
    programs = make_programs(project, tmp_path / "data", "/venv/bin", "/usr/bin:/bin")
    return {p.name: read_identity(p.script) for p in programs}


def test_the_reason_names_what_changed(tmp_path):
    base = identities(tmp_path, "redis: r $PORT\nweb: w $PORT\n", dotenv={"SECRET": "a", "KEEP": "k"})
    changed = identities(tmp_path, "redis: r $PORT\nweb: w --new $PORT\n", DEPS.replace("[redis]", "retries = 9\n[redis]"),
                         dotenv={"SECRET": "hunter2-xyz", "KEEP": "k", "NEW": "1"})
    assert describe_change(base["web"], changed["web"]) == ["command changed", "settings changed (retries)", ".env changed (NEW, SECRET)"]
    # The .env value itself is never written into the identity, only a digest of it.
    assert "hunter2" not in str(changed["web"]) and len(changed["web"]["env"]["SECRET"]) == 64


def test_a_moved_dependency_is_named_with_its_new_port(tmp_path):
    base = identities(tmp_path, "redis: r $PORT\nweb: w $PORT\n")
    moved = identities(tmp_path, "redis: r $PORT\nweb: w $PORT\n", DEPS + "port = 7777\n")
    assert describe_change(base["redis"], moved["redis"]) == ["its port moved to 7777"]
    assert describe_change(base["web"], moved["web"]) == ["redis moved to port 7777"]
    assert describe_change(None, moved["web"]) == ["launched by an older platform"]


def test_a_new_line_anywhere_changes_no_other_program(tmp_path):
    def rendered():
        programs = make_programs(load_project(tmp_path / "Procfile", 5000, {}), tmp_path / "data", "/venv/bin", "/usr/bin")
        return read_sections(render_programs(programs, tmp_path / "s", tmp_path, tmp_path / "logs", tmp_path / "Procfile", 4096, 2))

    (tmp_path / "platform.toml").write_text('[web]\ndepends_on = ["redis"]\nport = 6001\n[redis]\nprobe = "redis"\nport = 6000\n')
    (tmp_path / "Procfile").write_text("redis: r $PORT\nweb: w $PORT\n")
    before = rendered()
    (tmp_path / "Procfile").write_text("hello: h\nredis: r $PORT\nweb: w $PORT\n")
    after = rendered()
    # Same section, byte for byte: the same priority and the same script (hello's address is not web's concern).
    assert {n: after[n] for n in before} == before
    assert script_of(before["web"], "web").startswith("web-") and "priority=101" in before["web"]


def test_adding_hello_to_the_repos_own_procfile_changes_none_of_its_services(tmp_path):
    # The case: the repository's Procfile and platform.toml, no ports pinned, `hello:` added.
    from pathlib import Path

    repo = Path(__file__).resolve().parents[2]

    def sections(procfile: str) -> dict[str, str]:
        (tmp_path / "Procfile").write_text(procfile)
        (tmp_path / "platform.toml").write_text((repo / "platform.toml").read_text())
        programs = make_programs(load_project(tmp_path / "Procfile", 5000, {}), tmp_path / "data", "/venv/bin", "/usr/bin")
        return read_sections(render_programs(programs, tmp_path / "s", tmp_path, tmp_path / "logs", tmp_path / "Procfile", 4096, 2))

    before = sections((repo / "Procfile").read_text())
    after = sections((repo / "Procfile").read_text() + "hello: python -m http.server $PORT\n")
    assert set(before) == {"redis", "orders", "delivery", "tts", "gateway", "dashboard"}
    assert {n: after[n] for n in before} == before and "hello" in after
