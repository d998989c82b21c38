"""Log lines as people and scripts read them: honcho's `HH:MM:SS name | line`, or JSON lines.

Lifecycle lines (a process started, exited, stopped) are the platform's, not the process's: as
honcho does, they stand under the name `system`, in bold, and say which process they are about:
`HH:MM:SS system | orders exited (SIGKILL), restarting`. In JSON their `stream` is "lifecycle".

Lines are formatted in batches and written 64 KiB at a time: a burst of 200,000 lines must not
cost a write and a time conversion per line (honcho's own Printer does both), nor keep its
reader waiting until the last of them is formatted. One file's lines of one second take one
regex substitution in C, not a Python step each.
"""

from __future__ import annotations

import calendar
import json
import re
import time
from json.encoder import encode_basestring as encode_json_string  # what json.dumps uses when ensure_ascii=False

from honcho.colour import get_colours

from platform_cli.procman.logfiles import STAMP_LEN, is_stamped, stamp_at
from platform_cli.procman.logtail import merge, with_stamps

MARK = {"stdout": b"|", "stderr": b"!", "lifecycle": b"|"}  # stderr lines carry `!` where stdout ones carry `|`
SYSTEM = "system"  # honcho's name for the lines the manager itself prints
WHOLE_RANGE_MIN = 4096  # bytes: a smaller range of lines is formatted line by line
# Written at a time: a pipe holds 64 KiB, so the reader always has lines while the next piece is formatted.
PIECE_BYTES = 1 << 16
PIECE_LINES = 1000


class LogPrinter:
    def __init__(self, out, names: list[str], color: bool, as_json: bool = False, lifecycle: bool = False):
        self.out = out  # a binary stream
        self.width = max((len(n) for n in [*names, *([SYSTEM] if lifecycle else [])]), default=0)
        colours = get_colours()
        self.colours = {name: next(colours) for name in names}
        self.color = color
        self.as_json = as_json
        self._clock: dict[bytes, bytes] = {}  # "YYYY-MM-DDTHH:MM:SS" (UTC) -> b"HH:MM:SS" (local)
        self._prefixes: dict[tuple, bytes] = {}
        self._json_tails: dict[tuple, str] = {}

    def write_chunks(self, chunks) -> None:
        """What a follower read in one poll: raw lines, one chunk per file that grew."""
        if len(chunks) == 1 and not self.as_json:
            # Formatted and written a piece at a time: whoever reads our output starts on a
            # burst's first lines while the rest is formatted, instead of waiting for all of it.
            data, previous, name, stream = chunks[0].data, chunks[0].previous_stamp, chunks[0].name, chunks[0].stream
            start = 0
            while start < len(data):
                stop = data.find(b"\n", start + PIECE_BYTES) + 1 or len(data)
                text, previous = self._format_raw(data, start, stop, previous, name, stream)
                self._emit(text)
                start = stop
        elif chunks:
            self.write(merge([with_stamps(c.lines, c.name, c.stream, c.previous_stamp) for c in chunks]))

    def _format_raw(self, data: bytes, start: int, stop: int, previous: bytes, name: str, stream: str) -> tuple[bytes, bytes]:
        """data[start:stop], whole lines of one file in order: the common case of a burst.

        Returns the text and the stamp a next line without one takes. The lines of one second
        share one prefix, so a range of them is formatted by one substitution in C, not a
        Python step per line: a range whose first and last lines are stamped in the same second
        is tried whole, a range that spans seconds is halved. A range with lines that do not
        match (no stamp of their own, a clock that went back) goes line by line.
        """
        parts = []
        ranges = [(start, stop)]  # [start, stop) of whole lines, each ending with a newline
        while ranges:
            start, stop = ranges.pop()
            last = data.rfind(b"\n", start, stop - 1) + 1  # where the range's last line starts
            if stop - start >= WHOLE_RANGE_MIN:
                first_stamp, last_stamp = stamp_at(data, start), stamp_at(data, last)
                if first_stamp and first_stamp[:19] == last_stamp[:19]:
                    text = self._format_second(data, start, stop, first_stamp, name, stream)
                    if text is not None:
                        parts.append(text)
                        previous = last_stamp
                        continue
                elif last > start:
                    middle = data.find(b"\n", (start + stop) // 2, stop - 1)
                    if middle < 0:
                        middle = data.rfind(b"\n", start, (start + stop) // 2)
                    ranges += [(middle + 1, stop), (start, middle + 1)]  # the first half first
                    continue
            text, previous = self._format_lines(data[start : stop - 1].split(b"\n"), previous, name, stream)
            parts.append(text)
        return b"".join(parts), previous

    def _format_second(self, data: bytes, start: int, stop: int, stamp: bytes, name: str, stream: str) -> bytes | None:
        """data[start:stop] formatted, when every line in it is stamped in the second of `stamp`;
        None when one is not."""
        second = stamp[:19]
        prefix = self._prefixes.get((second, name, stream)) or self._prefix(stamp, name, stream)
        # A line start, that second, the rest of a stamp (is_stamped's test: "Z " ends it).
        pattern = re.compile(rb"\n" + re.escape(second) + rb"[^\n]{%d}Z " % (STAMP_LEN - 20))
        text, count = pattern.subn(b"\n" + prefix.replace(b"\\", b"\\\\"), b"\n" + data[start : stop - 1])
        if count != data.count(b"\n", start, stop):
            return None
        return text[1:] + b"\n"

    def _format_lines(self, lines: list[bytes], previous: bytes, name: str, stream: str) -> tuple[bytes, bytes]:
        """Lines one by one; a line with no stamp takes the prefix of the one before. Returns
        the text and the stamp the next line without one takes."""
        prefixes = self._prefixes
        second = previous[:19]
        prefix = prefixes.get((second, name, stream)) or self._prefix(previous, name, stream)
        parts = []
        append = parts.append
        for raw in lines:
            if is_stamped(raw):
                if raw[:19] != second:
                    second = raw[:19]
                    prefix = prefixes.get((second, name, stream)) or self._prefix(raw, name, stream)
                    previous = raw[:STAMP_LEN]
                append(prefix + raw[STAMP_LEN + 1 :])
            else:
                append(prefix + raw)
        parts.append(b"")
        return b"\n".join(parts), previous

    def write(self, lines) -> None:
        """LogLines, in the order given; written a piece at a time, as write_chunks does."""
        for start in range(0, len(lines), PIECE_LINES):
            piece = lines[start : start + PIECE_LINES]
            if self.as_json:
                data = "".join(map(self._json_line, piece)).encode()
            else:
                prefixes, prefix = self._prefixes, self._prefix
                data = b"".join(
                    (prefixes.get((line.stamp[:19], line.name, line.stream)) or prefix(line.stamp, line.name, line.stream))
                    + line.text
                    + b"\n"
                    for line in piece
                )
            self._emit(data)

    def _json_line(self, line) -> str:
        """json_line(line) + newline, as json.dumps writes it, without its ~3 µs of set-up per
        call: a burst is 200,000 lines. The keys and the name and stream, the same on every
        line, are encoded once."""
        tail = self._json_tails.get((line.name, line.stream))
        if tail is None:
            tail = self._json_tails[(line.name, line.stream)] = ', "process": %s, "stream": %s, "line": ' % (
                encode_json_string(line.name), encode_json_string(line.stream))
        stamp = line.stamp.decode()
        time_ = encode_json_string(stamp) if stamp else "null"
        return '{"time": ' + time_ + tail + encode_json_string(line.text.decode("utf-8", "backslashreplace")) + "}\n"

    def _emit(self, data: bytes) -> None:
        self.out.write(data)
        self.out.flush()

    def _prefix(self, stamp: bytes, name: str, stream: str) -> bytes:
        second = stamp[:19]
        clock = self._clock.get(second)
        if clock is None:
            clock = self._clock[second] = local_clock(second)
        if stream == "lifecycle":
            text = b"%s %s %s " % (clock, SYSTEM.ljust(self.width).encode(), MARK[stream])
            if self.color:
                text = b"\033[0m\033[1m%s\033[0m" % text
            self._prefixes[(second, name, stream)] = text
            return text
        text = b"%s %s %s " % (clock, name.ljust(self.width).encode(), MARK[stream])
        if self.color and name in self.colours:
            # honcho's colouring: reset, colour, prefix, reset
            text = b"\033[0m\033[%sm%s\033[0m" % (self.colours[name].encode(), text)
        self._prefixes[(second, name, stream)] = text
        return text


def local_clock(utc_second: bytes) -> bytes:
    if not utc_second:
        return b"--:--:--"
    # The fields read as numbers: time.strptime imports _strptime (~9 ms) on its first call,
    # which is the first line of a burst. Read back as text, they must give the same second,
    # else (a leap second, not a date) strptime decides, as it always did.
    text = utc_second.decode()
    try:
        fields = (int(text[0:4]), int(text[5:7]), int(text[8:10]), int(text[11:13]), int(text[14:16]), int(text[17:19]))
        seconds = calendar.timegm(fields)
        exact = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) == text
    except (ValueError, OverflowError):
        exact = False
    if not exact:
        seconds = calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%S"))
    return time.strftime("%H:%M:%S", time.localtime(seconds)).encode()


def json_line(line) -> str:
    return json.dumps(json_record(line), ensure_ascii=False)


def json_record(line) -> dict:
    return {
        "time": line.stamp.decode() or None,
        "process": line.name,
        "stream": line.stream,
        "line": line.text.decode("utf-8", "backslashreplace"),
    }
