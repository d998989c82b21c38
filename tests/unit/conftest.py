"""Fixtures shared by the unit tests."""

import time

import pytest


@pytest.fixture
def utc(monkeypatch):
    """Local time is UTC for the test: log views print stamps in local time."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()
