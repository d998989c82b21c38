"""write_atomic's durable=False: the same whole-file replacement, without the fsyncs."""

from __future__ import annotations

import os
import stat

from platform_cli.procman import atomicfile
from platform_cli.procman.atomicfile import write_atomic


def test_not_durable_replaces_the_file_whole_0600_without_fsync(tmp_path, monkeypatch):
    target = tmp_path / "pids.json"
    write_atomic(target, "old")
    synced = []
    monkeypatch.setattr(atomicfile.os, "fsync", lambda fd: synced.append(fd))
    write_atomic(target, '{"a": [1, 2]}', durable=False)
    assert target.read_text() == '{"a": [1, 2]}'
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert synced == [] and os.listdir(tmp_path) == ["pids.json"]


def test_durable_by_default_syncs_the_file_and_its_folder(tmp_path, monkeypatch):
    synced = []
    real = os.fsync
    monkeypatch.setattr(atomicfile.os, "fsync", lambda fd: (synced.append(fd), real(fd)))
    write_atomic(tmp_path / "login", "s")
    assert len(synced) == 2
