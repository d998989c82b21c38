"""Checks for the other projects' internals we rely on: each failure names what moved upstream.

We reach into supervisor, TinyDB and gTTS where they offer no public way to do what we need, and
cap each below its next minor release (setup.cfg). When a cap is raised, these checks say what
changed in words a maintainer can act on, rather than a stray AttributeError in a running daemon.
"""

from __future__ import annotations

import inspect


def expect(name: str, condition: bool, what: str) -> None:
    if not condition:
        raise AssertionError(f"upstream changed {name}: {what}")


def expect_signature(name: str, function, signature: str) -> None:
    expect(name, callable(function), "it is gone or no longer callable")
    found = str(inspect.signature(function))
    expect(name, found == signature, f"signature is now {found}, we rely on {signature}")
