"""Groups, enabled = false and environment profiles (issue 20 point 6), with real processes."""

from __future__ import annotations

import sys

PY = sys.executable
SLEEPER = f"{PY} -c \"import time; time.sleep(600)\""


def _states(project) -> dict[str, str]:
    return {name: row["state"] for name, row in project.status().items()}


def test_up_and_restart_at_group_act_on_its_processes_and_disabled_ones_wait_to_be_named(project):
    project.write({"api": SLEEPER, "front": SLEEPER, "worker": SLEEPER, "debugger": SLEEPER},
                  {"api": {"group": "web"}, "front": {"group": ["web", "ui"]}, "debugger": {"enabled": False}})
    project.ok("up", "@web")
    assert {n for n, s in _states(project).items() if s in ("RUNNING", "STARTING")} == {"api", "front"}
    before = project.wait_running("api", "front")
    project.ok("restart", "@web")
    after = project.wait_running("api", "front")
    assert all(after[n]["pid"] != before[n]["pid"] for n in ("api", "front"))
    project.ok("up")  # all but the disabled one
    states = _states(project)
    assert states["worker"] in ("STARTING", "RUNNING") and states["debugger"] not in ("STARTING", "RUNNING")
    project.wait_running("api", "front", "worker")
    assert project.run("status").returncode == 0  # a disabled process at rest is no fault
    project.ok("up", "debugger")  # named: started
    project.wait_running("debugger")
    unknown = project.run("up", "@nope")
    assert unknown.returncode == 7 and unknown.stderr.startswith("error: unknown process: @nope"), unknown.stderr
    assert "@web" in unknown.stderr


def test_an_env_profile_is_layered_over_dotenv(project):
    out = project.root / "seen"
    project.write({"show": f"sh -c 'echo \"$MODE $SHARED\" > {out}; exec {SLEEPER}'"}, env="MODE=dev\nSHARED=base\n")
    (project.root / ".env.production").write_text("MODE=production\n")
    project.ok("--env", "production", "up")
    assert out.read_text().strip() == "production base"
    missing = project.run("--env", "staging", "up")
    assert missing.returncode == 6 and missing.stderr.startswith("error: no .env.staging in"), missing.stderr
    bad = project.run("--env", "../etc", "status")
    assert bad.returncode == 6 and "is not a name" in bad.stderr


def test_a_plain_up_with_only_disabled_processes_and_a_scheduled_task_starts_none_of_them(project):
    # Nothing to start by default: an empty selection is nothing, not "everything" (as it once was).
    project.write({"debugger": SLEEPER, "console": SLEEPER, "nightly": f"{PY} -c pass"},
                  {"debugger": {"enabled": False}, "console": {"enabled": False},
                   "nightly": {"kind": "task", "schedule": "0 3 * * *"}})
    project.ok("up")
    states = _states(project)
    assert states["debugger"] in ("STOPPED", "ABSENT") and states["console"] in ("STOPPED", "ABSENT"), states
    assert states["nightly"] in ("STOPPED", "ABSENT"), states  # its schedule starts it, not `up`
    assert project.run("status").returncode == 0  # all at rest, as they should be
    project.ok("start", "--all")  # every enabled process: the scheduled task, run now as `start` does
    states = _states(project)
    assert states["debugger"] in ("STOPPED", "ABSENT") and states["console"] in ("STOPPED", "ABSENT"), states
    assert not [e for e in project.events() if e["name"] in ("debugger", "console") and e["to"] == "STARTING"]
