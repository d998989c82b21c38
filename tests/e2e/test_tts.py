"""`platform tts say` against the tts service under `platform up` (espeak: Google is unreachable here)."""

from __future__ import annotations

import json

from services.tts.mp3 import duration, frames


def test_platform_tts_say_writes_a_playable_mp3(project, tmp_path):
    project.write(
        {"redis": "python -m services.redis", "tts": "python -m services.tts"},
        {"redis": {"probe": "redis"}, "tts": {"probe": "http:/health", "depends_on": ["redis"]}},
        env="GTTS_TIMEOUT=1\n",
    )
    project.ok("up")
    out = tmp_path / "hello.mp3"
    made = json.loads(project.ok("tts", "say", "Hello from the platform", "-o", str(out), "--json").stdout)
    audio = out.read_bytes()
    assert made["engine"] in ("espeak", "gtts") and len(audio) == made["bytes"]
    assert len(list(frames(audio))) > 10 and 0.5 < duration(audio) < 5
    again = project.ok("tts", "say", "Hello from the platform", "-o", str(tmp_path / "again.mp3")).stdout
    assert "from the cache" in again
    piped = project.run("tts", "say", "-", "--engine", "espeak", "-o", str(tmp_path / "piped.mp3"), input="text from stdin\n")
    assert piped.returncode == 0, piped.stderr
    assert duration((tmp_path / "piped.mp3").read_bytes()) > 0.5
    bad = project.run("tts", "say", "hi", "--lang", "xx")
    assert bad.returncode == 9 and bad.stderr.startswith("error: tts: lang 'xx' is not a language of auto")
    assert "ko" in project.ok("tts", "voices").stdout.split()
