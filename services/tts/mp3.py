"""Reading MPEG audio frame headers: enough to check an MP3 and tell its duration (pure)."""

from __future__ import annotations

# Bitrates (kbit/s) for Layer III by MPEG version; sample rates (Hz) by version.
_BITRATES = {
    1: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_RATES = {1: (44100, 48000, 32000), 2: (22050, 24000, 16000), 25: (11025, 12000, 8000)}


def frames(data: bytes):
    """Yield (offset, sample_rate, samples) for each Layer III frame, skipping an ID3v2 tag."""
    pos = 0
    if data[:3] == b"ID3" and len(data) >= 10:
        pos = 10 + ((data[6] << 21) | (data[7] << 14) | (data[8] << 7) | data[9])
    while pos + 4 <= len(data):
        b1, b2 = data[pos + 1], data[pos + 2]
        if data[pos] != 0xFF or b1 & 0xE0 != 0xE0:
            return  # not a frame: the audio ends here (or the data is not MP3)
        version = {3: 1, 2: 2, 0: 25}.get((b1 >> 3) & 3)
        layer, bitrate_index, rate_index = (b1 >> 1) & 3, b2 >> 4, (b2 >> 2) & 3
        if version is None or layer != 1 or bitrate_index in (0, 15) or rate_index == 3:
            return
        bitrate = _BITRATES[1 if version == 1 else 2][bitrate_index] * 1000
        rate = _RATES[version][rate_index]
        samples = 1152 if version == 1 else 576
        size = samples // 8 * bitrate // rate + ((b2 >> 1) & 1)
        yield pos, rate, samples
        pos += size


def duration(data: bytes) -> float:
    """Seconds of audio in an MP3; 0.0 when no frame could be read."""
    return round(sum(samples / rate for _, rate, samples in frames(data)), 3)
