"""bench/compare/logfile.py: the file watch sees the last line, across a rotation, and the count
of lines lost or split is exact."""

from __future__ import annotations

import os

from bench.compare.logfile import FileWatch, count_lost_split


def test_whole_lines_with_or_without_a_stamp_count_as_shown():
    data = b"2026-11-23T14:50:01.123456Z burst 7 0\nburst 7 1\nburst 7 2\n"
    assert count_lost_split(data, 3) == (0, 0)


def test_a_line_cut_in_two_is_split_and_its_number_lost():
    data = b"burst 7 0\nburst 7 1\nburst 7\n 2\n"
    assert count_lost_split(data, 3) == (1, 2)


def test_a_missing_line_is_lost():
    assert count_lost_split(b"burst 7 0\nburst 7 2\n", 3) == (1, 0)


def test_the_watch_reads_only_what_comes_after_it_starts_and_follows_a_rotation(tmp_path):
    log = tmp_path / "w.log"
    log.write_bytes(b"burst 7 2\n")  # an earlier burst's last line: not this one's
    watch = FileWatch(log, 2)
    with open(log, "ab") as f:
        f.write(b"burst 7 0\n")
    os.rename(log, tmp_path / "w.log.1")
    log.write_bytes(b"burst 7 1\nburst 7 2\n")
    assert watch.wait(10) is not None
    assert watch.data == b"burst 7 0\nburst 7 1\nburst 7 2\n"


def test_a_last_line_that_never_comes_is_none(tmp_path):
    log = tmp_path / "w.log"
    log.write_bytes(b"")
    watch = FileWatch(log, 5)
    with open(log, "ab") as f:
        f.write(b"burst 7 4\n")
    assert watch.wait(0.2) is None
