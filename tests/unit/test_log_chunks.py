"""A follower's chunk, formatted a range of lines at a time, is byte for byte what the same lines
give one by one (`LogPrinter.write` of `with_stamps`, the path several chunks at once take)."""

import calendar
import io
import time
from unittest import mock

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from platform_cli.procman.logfiles import LogLine, make_stamp
from platform_cli.procman.logfollow import Chunk, FileFollower
from platform_cli.procman.logtail import with_stamps
from platform_cli.ui import log_view
from platform_cli.ui.log_view import WHOLE_RANGE_MIN, LogPrinter, json_line, local_clock

T0 = 1_700_000_000.0  # 2023-11-14T22:13:20Z

# One run of lines: what kind, how many, and which second (and microsecond) their stamp holds.
KINDS = ["stamped", "no stamp", "empty", "looks stamped", "backslashes"]
runs = st.lists(
    st.tuples(st.sampled_from(KINDS), st.integers(1, 400), st.integers(0, 3), st.integers(0, 999_999)),
    min_size=1, max_size=8,
)


def make_lines(spec) -> list[bytes]:
    lines = []
    for kind, count, second, micros in spec:
        stamp = make_stamp(T0 + second + micros / 1e6)
        for i in range(count):
            if kind == "stamped":
                lines.append(stamp + b" burst 4242 %d" % i)
            elif kind == "no stamp":
                lines.append(b"rest of a cut line %d" % i)
            elif kind == "empty":
                lines.append(b"")
            elif kind == "looks stamped":  # "T", "-" and "Z " where a stamp has them, over two lines
                lines += [b"abcd-fghijT", b"0123456789abcdZ x"]
            else:
                lines.append(stamp + b" \\1 \\g<0> back\\slash")
    return lines


def one_by_one(chunk: Chunk, names: list[str], color: bool) -> bytes:
    out = io.BytesIO()
    LogPrinter(out, names, color=color).write(with_stamps(chunk.lines, chunk.name, chunk.stream, chunk.previous_stamp))
    return out.getvalue()


def whole(chunk: Chunk, names: list[str], color: bool) -> bytes:
    out = io.BytesIO()
    LogPrinter(out, names, color=color).write_chunks([chunk])
    return out.getvalue()


@pytest.fixture(autouse=True)
def _in_utc(utc):  # every test here (tests/unit/conftest.py)
    yield


@settings(max_examples=150, deadline=None)
@given(spec=runs, previous=st.sampled_from([b"", make_stamp(T0 - 1)]), color=st.booleans(),
       name=st.sampled_from(["web", "a\\1b"]), stream=st.sampled_from(["stdout", "stderr"]),
       piece=st.sampled_from([1 << 16, 50, 5000]))
@example(spec=[("stamped", 400, 0, 1), ("stamped", 400, 1, 2)], previous=b"", color=True, name="web", stream="stdout",
         piece=1 << 16)
@example(spec=[("stamped", 300, 2, 5), ("stamped", 300, 1, 5), ("stamped", 300, 2, 6)], previous=b"", color=False,
         name="web", stream="stdout", piece=1 << 16)  # the clock went back a second and forward again
@example(spec=[("no stamp", 1, 0, 0), ("stamped", 400, 0, 0), ("empty", 1, 0, 0), ("stamped", 400, 0, 9)],
         previous=make_stamp(T0 - 1), color=False, name="web", stream="stderr", piece=5000)
def test_a_chunk_formats_as_its_lines_one_by_one(spec, previous, color, name, stream, piece):
    chunk = Chunk.of_lines(name, stream, make_lines(spec), previous)
    names = [name, "orders"]
    with mock.patch.object(log_view, "PIECE_BYTES", piece):  # written in pieces of about this size
        assert whole(chunk, names, color) == one_by_one(chunk, names, color)


def test_a_burst_within_one_second_is_formatted_whole():
    stamp = make_stamp(T0 + 0.5)
    chunk = Chunk.of_lines("web", "stdout", [stamp + b" burst 4242 %d" % i for i in range(20_000)])
    assert len(chunk.data) > WHOLE_RANGE_MIN
    out = whole(chunk, ["web"], color=False)
    assert out == one_by_one(chunk, ["web"], color=False)
    assert out.startswith(b"22:13:20 web | burst 4242 0\n") and out.endswith(b"22:13:20 web | burst 4242 19999\n")


def test_chunk_lines_are_the_data_split(tmp_path):
    assert Chunk("web", "stdout", b"a\n\nb\n", b"").lines == [b"a", b"", b"b"]
    assert Chunk.of_lines("web", "stdout", [b"a", b""]).data == b"a\n\n"


def test_the_follower_keeps_the_last_stamp_for_the_next_chunk(tmp_path):
    path = tmp_path / "web.log"
    path.write_bytes(b"")
    follower = FileFollower(path, "web", "stdout", from_end=True)
    first, second = make_stamp(T0), make_stamp(T0 + 1)
    with open(path, "ab") as f:
        f.write(first + b" one\n" + second + b" two\nabcd-fghijT\n0123456789abcdZ x\nhalf a li")
    chunk = follower.poll(0.0)
    assert chunk.data == first + b" one\n" + second + b" two\nabcd-fghijT\n0123456789abcdZ x\n"
    assert chunk.previous_stamp == b""
    with open(path, "ab") as f:
        f.write(b"ne\n")
    chunk = follower.poll(0.1)
    # the rest of the line is read with its start; "abcd-fghijT\n0123..." is no stamp
    assert chunk.data == b"half a line\n" and chunk.previous_stamp == second


def test_a_big_chunk_is_written_in_pieces():
    stamp = make_stamp(T0)
    chunk = Chunk.of_lines("web", "stdout", [stamp + b" burst 4242 %d" % i for i in range(20_000)])
    out = io.BytesIO()
    with mock.patch.object(out, "write", wraps=out.write) as write:
        LogPrinter(out, ["web"], color=False).write_chunks([chunk])
    assert write.call_count == len(chunk.data) // log_view.PIECE_BYTES + 1
    assert out.getvalue() == one_by_one(chunk, ["web"], color=False)


@settings(max_examples=300, deadline=None)
@given(seconds=st.integers(-2**31, 2**33), zone=st.sampled_from(["UTC", "Europe/Paris", "America/St_Johns"]))
@example(seconds=1_483_228_799, zone="UTC")  # 23:59:59 before the 2016 leap second
def test_the_local_clock_reads_a_stamp_as_strptime_does(seconds, zone):
    with mock.patch.dict("os.environ", {"TZ": zone}):
        time.tzset()
        check_clock(seconds)
    time.tzset()


def check_clock(seconds: int) -> None:
    second = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)).encode()
    expected = time.strftime("%H:%M:%S", time.localtime(calendar.timegm(time.strptime(second.decode(), "%Y-%m-%dT%H:%M:%S"))))
    assert local_clock(second) == expected.encode()


def test_a_leap_second_is_read_by_strptime():
    assert local_clock(b"2016-12-31T23:59:60") == b"00:00:00"  # UTC (the fixture): as strptime read it


texts = st.one_of(st.binary(max_size=40), st.text(max_size=20).map(lambda t: t.encode("utf-8", "surrogatepass")))


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(st.tuples(st.sampled_from([b"", make_stamp(T0)]), st.text(min_size=1, max_size=8),
                                st.sampled_from(["stdout", "stderr", "lifecycle"]), texts), max_size=30))
@example(lines=[(make_stamp(T0), 'we"b\\', "stdout", b'\xff "quoted" \\ \t\x00\x1f \xe2\x80\xa8 \xc3\xa9')])
def test_json_lines_are_what_json_dumps_writes(lines):
    lines = [LogLine(*line) for line in lines]
    out = io.BytesIO()
    LogPrinter(out, [], color=False, as_json=True).write(lines)
    assert out.getvalue() == "".join(json_line(line) + "\n" for line in lines).encode()
