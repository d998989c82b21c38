"""The rendered config, read back by supervisor's own parser."""

import shlex

import pytest
from supervisor.options import ServerOptions, UnhosedConfigParser

from platform_cli.errors import ConfigError
from platform_cli.procman.project import load_project
from platform_cli.procman.supervisor_conf import make_programs, make_shell_command, render_programs


def programs_for(tmp_path, procfile, options="", dotenv=None):
    (tmp_path / "Procfile").write_text(procfile)
    (tmp_path / "platform.toml").write_text(options)
    project = load_project(tmp_path / "Procfile", 5000, dotenv or {})
    return make_programs(project, tmp_path / "data", "/venv/bin", "/usr/bin:/bin")


def parse(text):
    parser = UnhosedConfigParser()
    parser.read_string(text)
    options = ServerOptions()
    return {
        section.split(":", 1)[1]: options.processes_from_section(parser, section, section.split(":", 1)[1])[0]
        for section in parser.sections()
    }


def test_supervisor_reads_back_every_program_setting(tmp_path):
    programs = programs_for(
        tmp_path,
        "web: serve $PORT\nredis: r $PORT\n",
        '[web]\ndepends_on = ["redis"]\nstop_timeout = 2.5\nretries = 2\n[redis]\nprobe = "redis"\n',
    )
    scripts = tmp_path / "100% data" / "programs"
    logs = tmp_path / "5% logs"  # every path is %-escaped: supervisord expands %(name)s
    logs.mkdir()  # supervisor checks that log directories exist
    parsed = parse(render_programs(programs, scripts, tmp_path, logs, tmp_path / "Procfile", 4096, 2))
    web = parsed["web"]
    assert shlex.split(web.command) == ["/bin/sh", f"{scripts}/{programs[1].script_name}"]
    assert web.stopasgroup and web.killasgroup and web.autostart is False
    assert (web.stopwaitsecs, web.startretries, web.startsecs) == (3, 2, 1)
    assert web.stdout_logfile == str(logs / "web.log")
    assert web.stderr_logfile == str(logs / "web.err.log")
    assert (web.stdout_logfile_maxbytes, web.stdout_logfile_backups) == (4096, 2)
    assert (web.stderr_logfile_maxbytes, web.stderr_logfile_backups) == (4096, 2)
    # Dependencies start first and stop last.
    assert parsed["redis"].priority < web.priority


def test_launch_script_quotes_every_value_and_execs_a_simple_command(tmp_path):
    nasty = "it's \"quoted\" ; # not a comment %(here)s $HOME `x`"
    [program] = programs_for(tmp_path, "web: serve --port $PORT\n", dotenv={"NASTY": nasty, "EMPTY": ""})
    lines = program.script.splitlines()
    exports = dict(shlex.split(line)[1].split("=", 1) for line in lines if line.startswith("export "))
    assert exports["NASTY"] == nasty and exports["EMPTY"] == ""
    assert exports["PORT"] == "5000" and exports["PYTHONUNBUFFERED"] == "1"
    assert exports["PLATFORM_PROCESS"] == "web" and exports["PATH"] == "/venv/bin:/usr/bin:/bin"
    assert lines[-1] == "exec serve --port $PORT"


def test_a_changed_environment_is_a_changed_program(tmp_path):
    [a] = programs_for(tmp_path, "web: serve $PORT\n", dotenv={"X": "1"})
    [b] = programs_for(tmp_path, "web: serve $PORT\n", dotenv={"X": "2"})
    [c] = programs_for(tmp_path, "web: serve $PORT\n", dotenv={"X": "1"})
    assert a.script_name != b.script_name and a.script_name == c.script_name


def test_an_invalid_variable_name_is_a_config_error(tmp_path):
    [program] = programs_for(tmp_path, "web: serve\n", dotenv={"BAD-NAME": "1"})
    with pytest.raises(ConfigError, match="'BAD-NAME' is not a valid environment variable name"):
        _ = program.script


@pytest.mark.parametrize(
    "command, expected",
    [
        ("redis-server --port $PORT", "exec redis-server --port $PORT"),
        ("python app.py > out.log 2>&1", "exec python app.py > out.log 2>&1"),
        ("echo 'a;b'", "exec echo 'a;b'"),
        ("migrate && serve", "migrate && serve"),
        ("a; b", "a; b"),
        ("a | b", "a | b"),
        ("(cd x && y)", "(cd x && y)"),
        ("daemon &", "daemon &"),
    ],
)
def test_only_simple_commands_are_execed(command, expected):
    assert make_shell_command(command) == expected


def test_paths_that_supervisor_would_cut_are_refused(tmp_path):
    programs = programs_for(tmp_path, "web: serve\n")
    with pytest.raises(ConfigError, match="whitespace before '#'"):
        render_programs(programs, tmp_path / "a #b", tmp_path, tmp_path, tmp_path / "Procfile", 4096, 2)


def test_only_what_a_process_depends_on_calls_for_its_restart(tmp_path):
    def names(procfile, options):
        return {p.name: p.script_name for p in programs_for(tmp_path, procfile, options)}

    deps = '[web]\ndepends_on = ["redis"]\n'
    base = names("redis: r $PORT\nweb: w $PORT\nother: o $PORT\n", deps)
    # A new process: nobody depends on it, nothing restarts (its address is there at the next start).
    added = names("redis: r $PORT\nweb: w $PORT\nother: o $PORT\nnew: n $PORT\n", deps)
    assert {k: added[k] for k in base} == base
    # redis moves: web, which depends on it, restarts; other does not.
    moved = names("redis: r $PORT\nweb: w $PORT\nother: o $PORT\n", deps + "[redis]\nport = 7777\n")
    assert moved["web"] != base["web"] and moved["other"] == base["other"] and moved["redis"] != base["redis"]


def test_a_leading_assignment_is_not_execed():
    assert make_shell_command("FOO=1 python app.py") == "FOO=1 python app.py"
    assert make_shell_command("python app.py --opt=1") == "exec python app.py --opt=1"


def test_the_path_of_whoever_ran_up_does_not_restart_anything(tmp_path):
    (tmp_path / "Procfile").write_text("web: serve $PORT\n")
    project = load_project(tmp_path / "Procfile", 5000, {})
    [a] = make_programs(project, tmp_path / "data", "/venv/bin", "/usr/bin:/bin")
    [b] = make_programs(project, tmp_path / "data", "/venv/bin", "/home/me/.local/bin:/usr/bin:/bin")
    assert a.script_name == b.script_name and a.script != b.script


def test_watchdog_settings_do_not_rename_the_launch_script(tmp_path):
    from platform_cli.procman.project import load_project
    from platform_cli.procman.supervisor_conf import make_programs

    (tmp_path / "Procfile").write_text("web: serve $PORT\n")
    names = []
    for options in ("", "[web]\nprobe_interval = 1\nliveness_threshold = 5\nmax_memory = \"64MB\"\n"):
        (tmp_path / "platform.toml").write_text(options)
        project = load_project(tmp_path / "Procfile", 5000, {})
        names.append(make_programs(project, tmp_path / "data", "/venv/bin", "/usr/bin")[0].script_name)
    assert names[0] == names[1]


def test_restart_policies_and_tasks_map_onto_autorestart_exitcodes_and_startsecs(tmp_path):
    from supervisor.datatypes import RestartUnconditionally, RestartWhenExitUnexpected

    programs = programs_for(
        tmp_path, "web: serve\nworker: work\nonce: go\nmigrate: m\n",
        '[worker]\nrestart = "on_failure"\nsuccess_exit_codes = [0, 130]\n[once]\nrestart = "no"\n[migrate]\nkind = "task"\n',
    )
    (tmp_path / "logs").mkdir()
    parsed = parse(render_programs(programs, tmp_path / "s", tmp_path, tmp_path / "logs", tmp_path / "Procfile", 4096, 2))
    assert parsed["web"].autorestart is RestartUnconditionally and parsed["web"].startsecs == 1
    assert parsed["worker"].autorestart is RestartWhenExitUnexpected and parsed["worker"].exitcodes == [0, 130]
    assert parsed["once"].autorestart is False
    assert parsed["migrate"].autorestart is False and parsed["migrate"].startsecs == 0


def test_the_default_process_model_leaves_identities_as_they_were(tmp_path):
    # A project setting none of kind/restart/exit codes keeps its scripts, so `up` restarts nothing.
    plain = programs_for(tmp_path, "web: serve\n")[0]
    assert "model" not in plain.identity
    task = programs_for(tmp_path, "web: serve\n", '[web]\nkind = "task"\nrestart = "on_failure"\n')[0]
    assert task.identity["model"] == {"kind": "task", "restart": "on_failure"}
    assert task.script_name != plain.script_name


def test_a_task_retried_on_failure_runs_in_a_bounded_loop(tmp_path):
    import subprocess

    from platform_cli.procman.supervisor_conf import task_command

    tries = tmp_path / "tries"
    script = task_command(f"echo x >> {tries}; exit 2", (0,), retries=1)
    result = subprocess.run(["sh", "-c", script], capture_output=True, text=True, timeout=20)
    assert result.returncode == 2 and tries.read_text().count("x") == 2  # the run and 1 retry
    assert "exited 2; run 2 in 1s" in result.stderr


def test_stop_signal_is_supervisords_stopsignal_and_a_stop_command_wraps_the_program(tmp_path):
    programs = programs_for(tmp_path, "plain: a\nint: b\nwrapped: c --flag\n",
                            '[int]\nstop_signal = "SIGINT"\n[wrapped]\nstop_signal = "INT"\nstop_command = "./drain.sh"\nstop_timeout = 3\n')
    (tmp_path / "logs").mkdir()
    parsed = parse(render_programs(programs, tmp_path / "s", tmp_path, tmp_path / "logs", tmp_path / "Procfile", 4096, 2))
    import signal

    assert (parsed["plain"].stopsignal, parsed["plain"].stopasgroup) == (signal.SIGTERM, True)
    assert parsed["int"].stopsignal == signal.SIGINT
    wrapped = parsed["wrapped"]
    # supervisord's TERM reaches the stopwrap parent alone; it has 2 x stop_timeout + 1 before KILL.
    assert (wrapped.stopsignal, wrapped.stopasgroup, wrapped.killasgroup, wrapped.stopwaitsecs) == (signal.SIGTERM, False, True, 7)
    # The stop waves (stopping.py) wait as long as supervisord does before its SIGKILL, not stop_timeout.
    assert [p.spec.stop_wait for p in programs] == [parsed[p.name].stopwaitsecs for p in programs] == [10, 10, 7]
    last = programs[2].script.splitlines()[-1]
    assert shlex.split(last)[2:] == ["-m", "platform_cli.procman.stopwrap", "INT", "3", "./drain.sh", "--", "exec c --flag"]
    assert programs[2].identity["model"] == {"stop_signal": "INT", "stop_command": "./drain.sh"}


def test_tty_runs_the_program_under_the_pty_relay_inside_the_stop_command_parent(tmp_path):
    programs = programs_for(tmp_path, "dbg: python app.py\n", '[dbg]\ntty = true\nstop_command = "true"\n')
    line = shlex.split(programs[0].script.splitlines()[-1])
    assert line[2:4] == ["-m", "platform_cli.procman.stopwrap"]
    inner = shlex.split(line[-1])
    assert inner[2:5] == ["-m", "platform_cli.procman.ptyrelay", str(tmp_path / "data" / "attach" / "dbg.sock")]
    assert inner[-1] == "exec python app.py"
    with pytest.raises(ConfigError, match="tty must be true or false"):
        programs_for(tmp_path, "dbg: x\n", '[dbg]\ntty = "yes"\n')


def test_a_selection_renders_those_processes_and_their_dependencies_as_the_whole_procfile_does(tmp_path):
    (tmp_path / "Procfile").write_text("redis: r $PORT\nweb: serve $PORT\nworker: w\nother: o\n")
    (tmp_path / "platform.toml").write_text('[redis]\nprobe = "redis"\n[web]\ndepends_on = ["redis"]\n')
    project = load_project(tmp_path / "Procfile", 5000, {})
    everything = {p.name: p for p in make_programs(project, tmp_path / "data", "/venv/bin", "/usr/bin")}
    selected = make_programs(project, tmp_path / "data", "/venv/bin", "/usr/bin", ["web", "worker"])
    assert [p.name for p in selected] == ["redis", "worker", "web"]
    # The same launch scripts and priorities: a process loaded later is not told apart from one loaded at once.
    assert all((p.script_name, p.script, p.priority) == (everything[p.name].script_name, everything[p.name].script,
                                                         everything[p.name].priority) for p in selected)
