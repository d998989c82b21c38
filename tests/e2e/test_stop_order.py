"""Dependents stop before what they depend on, with `stop` and with `down`: each dependent, on its
SIGTERM, asks its dependency's /health and writes down the answer (tests/e2e/apps/web.py)."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import WEB


def _chain(project, tmp_path):
    stops = tmp_path / "stops.txt"
    project.write(
        {"base": f"{WEB} # $PORT", "mid": f"{WEB} # $PORT", "top": f"{WEB} # $PORT"},
        {"mid": {"depends_on": ["base"]}, "top": {"depends_on": ["mid"]}},
        env=f"STOP_CHECK_FILE={stops}\n",
    )
    # Listed dependency-last, so Procfile order is not what puts them right.
    (project.root / "Procfile").write_text(
        f"top: env STOP_CHECK_URL=$MID_URL/health {WEB} # $PORT\n"
        f"mid: env STOP_CHECK_URL=$BASE_URL/health {WEB} # $PORT\n"
        f"base: {WEB} # $PORT\n"
    )
    project.ok("up")
    return stops


@pytest.mark.parametrize("command", [("stop", "--all"), ("down",)])
def test_dependents_stop_while_what_they_depend_on_still_answers(project, tmp_path, command):
    stops = _chain(project, tmp_path)
    result = project.ok(*command)
    assert stops.read_text().splitlines() == ["top 200", "mid 200"], result.stdout
    if command[0] == "stop":
        assert [line.split()[1] for line in result.stdout.splitlines() if line.startswith("stopped ")] == ["top", "mid", "base"]
