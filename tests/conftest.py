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
