import pytest


def pytest_collection_modifyitems(config, items):
    # The layer is the folder: tests/unit, tests/service, tests/e2e.
    for item in items:
        for layer in ("unit", "service", "e2e"):
            if f"/tests/{layer}/" in str(item.fspath):
                item.add_marker(getattr(pytest.mark, layer))
