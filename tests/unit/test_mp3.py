import lameenc

from services.tts.mp3 import duration, frames


def encode(seconds: float, rate: int = 22050) -> bytes:
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(64)
    encoder.set_in_sample_rate(rate)
    encoder.set_channels(1)
    encoder.set_quality(7)
    return bytes(encoder.encode(b"\0\0" * int(seconds * rate)) + encoder.flush())


def test_duration_is_read_from_the_frame_headers():
    assert abs(duration(encode(2.0)) - 2.0) < 0.1
    assert abs(duration(encode(0.5, rate=44100)) - 0.5) < 0.1


def test_what_is_not_mp3_has_no_frames():
    assert duration(b"RIFF....WAVEfmt ") == 0.0 and list(frames(b"")) == []
    tagged = b"ID3\x04\x00\x00\x00\x00\x00\x00" + encode(1.0)
    assert abs(duration(tagged) - 1.0) < 0.1
