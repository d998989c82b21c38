import io
import json

import pytest
import typer

from platform_cli.commands.logs import parse_duration
from platform_cli.procman.logfiles import LogLine, make_stamp, name_of, stamp_lines
from platform_cli.procman.logtail import merge, tail, with_stamps
from platform_cli.ui.log_view import LogPrinter

NOW = 1_700_000_000.25  # 2023-11-14T22:13:20.250000Z
STAMP = b"2023-11-14T22:13:20.250000Z"


def test_stamps_are_fixed_width_utc_and_sort_as_bytes():
    assert make_stamp(NOW) == STAMP
    assert make_stamp(NOW + 0.000001) > make_stamp(NOW) and len(make_stamp(0)) == len(STAMP)


def test_each_line_is_stamped_once_at_its_start():
    out, at_start = stamp_lines(b"one\ntwo\n", True, NOW)
    assert out == STAMP + b" one\n" + STAMP + b" two\n" and at_start
    # A partial line is written at once; its rest, in the next chunk, gets no second stamp.
    out, at_start = stamp_lines(b"par", True, NOW)
    assert out == STAMP + b" par" and not at_start
    out, at_start = stamp_lines(b"tial\nnext", at_start, NOW)
    assert out == b"tial\n" + STAMP + b" next" and not at_start


def test_lines_without_a_stamp_take_the_one_before():
    lines = with_stamps([b"rest of a cut line", STAMP + b" hello", b"continued"], "web", "stdout")
    assert [(l.stamp, l.text) for l in lines] == [(b"", b"rest of a cut line"), (STAMP, b"hello"), (STAMP, b"continued")]


def test_merge_orders_by_time_and_keeps_each_sources_order_for_equal_stamps():
    a = [LogLine(b"1", "a", "stdout", b"z"), LogLine(b"1", "a", "stdout", b"y"), LogLine(b"3", "a", "stdout", b"x")]
    b = [LogLine(b"2", "b", "stderr", b"w")]
    assert [l.text for l in merge([a, b, []])] == [b"z", b"y", b"w", b"x"]


def test_tail_reads_the_last_lines_before_an_offset(tmp_path):
    path = tmp_path / "x.log"
    path.write_bytes(b"".join(b"line %d\n" % i for i in range(10000)))
    assert tail(path, 3) == [b"line 9997", b"line 9998", b"line 9999"]
    assert tail(path, 2, end=len(b"line 0\nline 1\nline 2\n")) == [b"line 1", b"line 2"]
    assert len(tail(path, 20000, chunk=64)) == 10000
    assert tail(tmp_path / "missing.log", 5) == []


def test_log_file_names():
    from pathlib import Path

    assert name_of(Path("web.log")) == ("web", "stdout")
    assert name_of(Path("web.err.log")) == ("web", "stderr")
    assert name_of(Path("web.log.1")) is None and name_of(Path("notes.txt")) is None


def test_printer_uses_honchos_prefix_marks_stderr_and_colours_only_when_asked(utc):
    lines = [LogLine(STAMP, "web", "stdout", b"hello"), LogLine(STAMP, "redis", "stderr", b"\xff oops")]
    plain = io.BytesIO()
    LogPrinter(plain, ["web", "redis"], color=False).write(lines)
    assert plain.getvalue() == b"22:13:20 web   | hello\n22:13:20 redis ! \xff oops\n"
    coloured = io.BytesIO()
    LogPrinter(coloured, ["web", "redis"], color=True).write(lines)
    assert coloured.getvalue().startswith(b"\033[0m\033[36m22:13:20 web   | \033[0m")  # honcho's first colour: cyan
    as_json = io.BytesIO()
    LogPrinter(as_json, ["web"], color=False, as_json=True).write(lines[1:])
    assert json.loads(as_json.getvalue()) == {
        "time": STAMP.decode(), "process": "redis", "stream": "stderr", "line": "\\xff oops",
    }


@pytest.mark.parametrize("text, seconds", [("90s", 90), ("10m", 600), ("1h30m", 5400), ("2d", 172800), ("0.5h", 1800)])
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "10", "m", "1h 30m", "yesterday", "5w"])
def test_bad_durations_are_usage_errors(text):
    with pytest.raises(typer.BadParameter):
        parse_duration(text)
