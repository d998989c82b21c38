"""`platform tts say` against the tts service under `platform up` (espeak: Google is unreachable here)."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request

import pytest

from services.tts.mp3 import duration, frames


@pytest.fixture
def speech(project):
    project.write(
        {"redis": "python -m services.redis", "tts": "python -m services.tts"},
        {"redis": {"probe": "redis"}, "tts": {"probe": "http:/health", "depends_on": ["redis"]}},
        env="GTTS_TIMEOUT=1\n",
    )
    project.ok("up")
    return project


def test_platform_tts_say_writes_a_playable_mp3(speech, tmp_path):
    project = speech
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


def test_tts_say_writes_no_file_unless_asked(speech):
    project = speech
    before = set(project.root.iterdir())
    said = project.ok("tts", "say", "nothing on disk", "--engine", "espeak").stdout
    assert set(project.root.iterdir()) == before  # no unnamed MP3 left in the current folder
    url = f"http://127.0.0.1:{project.ports['tts']}/tts/"
    assert said.startswith("made ") and url in said and "-o FILE" in said
    made = json.loads(project.ok("tts", "say", "nothing on disk", "--engine", "espeak", "--json").stdout)
    assert made["file"] is None and made["url"].startswith(url) and made["cached"] is True
    assert set(project.root.iterdir()) == before
    # -o - pipes the MP3 to another program.
    piped = subprocess.run([sys.executable, "-m", "platform_cli", "tts", "say", "nothing on disk", "--engine", "espeak", "-o", "-"],
                           cwd=project.root, capture_output=True, timeout=60)
    assert piped.returncode == 0, piped.stderr
    with urllib.request.urlopen(made["url"], timeout=30) as served:  # no gateway here: no login needed
        assert piped.stdout == served.read() and len(piped.stdout) == made["bytes"]
    assert b"from the cache" in piped.stderr
    both = project.run("tts", "say", "hi", "-o", "-", "--json")
    assert both.returncode == 2 and both.stderr.startswith("error: Invalid value: -o - writes the MP3 to stdout")
