"""One process restarted, stopped or started on request, for the live views (monit, dashboard).

The CLI's `restart` also waits for readiness in dependency order and reports progress; a live
view instead shows the process come back on its next refresh, so here a verb is one or two
supervisord calls and a one-line message.
"""

from __future__ import annotations

from platform_cli.errors import PlatformError
from platform_cli.procman.project import Project
from platform_cli.procman.supervisor import SupervisorClient

VERBS = ("restart", "stop", "start")


def act_on(client: SupervisorClient, project: Project, verb: str, name: str) -> str:
    if verb not in VERBS:
        raise PlatformError(f"unknown action {verb!r}; one of {', '.join(VERBS)}")
    project.check_names([name])
    if verb in ("restart", "stop"):
        client.stop(name, project.processes[name].stop_timeout)
    if verb in ("restart", "start"):
        client.start(name)
    return f"{verb} {name}: done"
