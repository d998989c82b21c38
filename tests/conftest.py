import os
import re
import tempfile
from pathlib import Path

import pytest


def pytest_configure(config):
    # Hypothesis keeps caches in ./.hypothesis even with no example database: not in the repo.
    from hypothesis.configuration import set_hypothesis_home_dir

    set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "platform-tests-hypothesis")


def pytest_collection_modifyitems(config, items):
    # The layer is the folder: tests/unit, tests/service, tests/e2e.
    for item in items:
        for layer in ("unit", "service", "e2e"):
            if f"/tests/{layer}/" in str(item.fspath):
                item.add_marker(getattr(pytest.mark, layer))


def pytest_terminal_summary(terminalreporter):
    from tests.report import LINES

    if LINES:
        terminalreporter.section("reliability figures")
        for line in LINES:
            terminalreporter.write_line(line)
    skipped = readme_cited_skips(terminalreporter.stats.get("skipped", []))
    if skipped:
        terminalreporter.section("README-cited tests skipped: the README's claims were NOT checked here", red=True)
        for path, (count, reason) in skipped.items():
            terminalreporter.write_line(f"SKIPPED {path} ({count} test{'s' * (count != 1)}): {reason}", red=True, bold=True)
        if _in_ci():
            terminalreporter.write_line("CI=true: this run fails (a CI run must check what the README cites)", red=True)


def pytest_sessionfinish(session, exitstatus):
    # Under CI a skip of a test the README cites is a failure, not a footnote in a long log.
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if _in_ci() and reporter and exitstatus == 0 and readme_cited_skips(reporter.stats.get("skipped", [])):
        session.exitstatus = 1


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("true", "1")


def readme_cited_skips(reports) -> dict[str, tuple[int, str]]:
    """Test file the README cites -> (how many of its tests skipped, the reason)."""
    readme = Path(__file__).resolve().parent.parent / "README.md"
    cited = set(re.findall(r"tests/[\w/]+\.py", readme.read_text())) if readme.exists() else set()
    found: dict[str, tuple[int, str]] = {}
    for report in reports:
        path = report.nodeid.split("::")[0]
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        # test_readme's NOT_RUN lines (`make up`, `make test`) are skipped on purpose, each with its
        # reason, and a test of that file checks the list: no claim goes unchecked there.
        if path in cited and "(by design)" not in reason:
            count, _ = found.get(path, (0, ""))
            found[path] = (count + 1, reason.removeprefix("Skipped: "))
    return found
