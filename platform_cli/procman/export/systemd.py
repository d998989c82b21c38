"""`platform export systemd`: one unit per process instance, a target per process, one for all.

honcho's exporter does the layout (`honcho.export.systemd.Export.render`: app.target wants
app-<name>.target, which wants app-<name>-<n>.service); the templates are ours
(templates/systemd-*.j2) because honcho's lack what platform knows: depends_on as
`Requires=`/`After=` on the dependency's target, readiness (the unit is active only once its
probe passes, through `ExecStartPost=`), timeouts, retries, and a kill that leaves no orphans.
.env values go to a 0600 EnvironmentFile, never into a unit, and so does the URL of a redis with
`password = true`, carrying a password made for this export (as under platform: inside the URL).
"""

from __future__ import annotations

from pathlib import Path

from honcho.environ import ProcessParams

from platform_cli.procman.export.bundle import ExportFile
from platform_cli.procman.export.environment import ALLOWED_HOSTS, instances, peer_environment, split_dotenv
from platform_cli.procman.export.selection import exported
from platform_cli.procman.project import Project, ProcessSpec, address_keys

APP = "platform"
SHELL = "/bin/sh"
ENV_FILE = "platform.env"
_TEMPLATES = Path(__file__).parent.parent / "templates"


def render_systemd(
    project: Project, dotenv: dict[str, str], out_dir: Path, data_dir: Path, python: str, user: str | None,
    passwords: dict[str, str] | None = None,
) -> dict[str, ExportFile]:
    """Unit files named as honcho names them, plus platform.env; paths in them are absolute
    (units run from /etc/systemd/system, far from the project). passwords: {redis process:
    password} for `password = true` (default: fresh ones)."""
    from honcho.export.systemd import Export

    from platform_cli.procman.passwords import new_passwords
    from platform_cli.procman.supervisor_conf import make_shell_command

    project = exported(project)  # not platform's own dashboard (selection.py)
    passwords = new_passwords(project) if passwords is None else passwords
    # As under platform, a redis's password is inside its <NAME>_URL (services.redis reads it
    # there, and so do its clients); that URL goes to the 0600 platform.env, not into the units.
    with_passwords = project.peer_environment(passwords=passwords)
    secret_urls = {key: with_passwords[key] for key in (address_keys(name)[1] for name in passwords) if key in with_passwords}
    processes = []
    for spec in project.processes.values():
        for index in range(instances(spec)):
            port = None if spec.port is None else spec.port + index  # honcho's numbering for copies
            env = {
                **{k: v for k, v in _loopback(project).items() if k not in secret_urls},
                **({"PORT": str(port)} if port is not None else {}),
                "PYTHONUNBUFFERED": "1",
                "PLATFORM_DATA_DIR": str(data_dir),
                "PLATFORM_PROCESS": spec.name,
                "PATH": f"{Path(python).parent}:/usr/local/bin:/usr/bin:/bin",
            }
            processes.append(ProcessParams(f"{spec.name}.{index + 1}", spec.command, False, env))
    context = {
        "app": APP,
        "app_root": str(project.dir),
        "user": user,
        "shell": SHELL,
        "python": python,
        "env_file": str(out_dir / ENV_FILE),
        "specs": project.processes,
        "command": make_shell_command,
        "probe": _probe,
        "password_from": lambda spec: address_keys(spec.name)[1] if spec.name in passwords else None,
    }
    export = Export(template_env=_template_env())
    files = {f.name: ExportFile(f.content) for f in export.render(processes, context)}
    plain, secrets = split_dotenv(dotenv)
    # Units serve loopback as platform does; names the user added are served here too.
    hosts = {ALLOWED_HOSTS: dotenv[ALLOWED_HOSTS]} if dotenv.get(ALLOWED_HOSTS) else {}
    lines = "".join(f"{key}={systemd_env_value(value)}\n" for key, value in {**plain, **hosts, **secrets, **secret_urls}.items())
    files[ENV_FILE] = ExportFile("# The .env values every unit reads (EnvironmentFile=); keep it 0600.\n" + lines, secret=True)
    return files


def _loopback(project: Project) -> dict[str, str]:
    return peer_environment(project, host_of=lambda s: "127.0.0.1")


def _probe(spec: ProcessSpec) -> str:
    """The healthcheck's arguments before the port: the probe, and for one platform inferred
    from $PORT, that any answer below 500 passes."""
    if spec.probe.kind != "http":
        return spec.probe.kind
    return f"http:{spec.probe.path}" + (" --any-answer" if spec.probe.inferred else "")


def _template_env():
    import jinja2
    from honcho.export.base import dashrepl, percentescape

    # honcho asks for master.target, process_master.target and process.service.
    loader = jinja2.FunctionLoader(lambda name: (_TEMPLATES / f"systemd-{name}.j2").read_text(encoding="utf-8"))
    env = jinja2.Environment(loader=loader, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    env.filters.update(dashrepl=dashrepl, percentescape=percentescape, systemd_env=systemd_quote, systemd_exec=systemd_exec_quote)
    return env


def systemd_quote(value: str) -> str:
    """One double-quoted word for a unit file: backslashes, quotes, newlines escaped, `%` doubled
    (systemd's specifiers)."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("%", "%%")
    return f'"{escaped}"'


def systemd_exec_quote(value: str) -> str:
    """As systemd_quote, and `$` doubled: ExecStart= would expand $VAR itself; the shell must."""
    return systemd_quote(value).replace("$", "$$")


def systemd_env_value(value: str) -> str:
    """A value for an EnvironmentFile: double-quoted, with \\ and " escaped (no specifiers there)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


