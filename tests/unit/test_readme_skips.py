"""Under CI=true a skipped test that README cites fails the run (tests/conftest.py), except the
README examples test_readme skips by design, each with its reason (`make up`, `make test`)."""

from types import SimpleNamespace

from tests.conftest import readme_cited_skips


def _skip(nodeid: str, reason: str):
    return SimpleNamespace(nodeid=nodeid, longrepr=(nodeid.split("::")[0], 1, f"Skipped: {reason}"))


def test_a_readme_cited_skip_counts_and_a_by_design_one_does_not():
    found = readme_cited_skips([
        _skip("tests/service/test_disk_trouble.py::test_x", "user namespaces are off"),
        _skip("tests/e2e/test_readme.py::test_every_readme_shell_example_runs_as_written[make up]",
              "README example `make up` not run (by design): creates .venv"),
        _skip("tests/unit/test_not_cited.py::test_y", "whatever"),
    ])
    assert found == {"tests/service/test_disk_trouble.py": (1, "user namespaces are off")}
