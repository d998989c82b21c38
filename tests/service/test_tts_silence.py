"""espeak never answers with a silent MP3: a voice that says nothing is not offered (a 400
naming the languages it speaks), and a text it can read nothing of in a language is a 400."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.tts import create_app
from services.tts.engines import Espeak
from tests.helpers import free_port

# Voices espeak-ng lists and loads whose dictionary the espeakng-loader wheel lacks: they say nothing.
MUTE = ("fo", "kaa", "xex")


@pytest.fixture
def client(tmp_path, redis_client, redis_url):
    # gTTS points at a closed local port: never the internet, and espeak is asked for by name.
    return create_app({"DATA_DIR": str(tmp_path), "REDIS_URL": redis_url, "GTTS_URL": f"http://127.0.0.1:{free_port()}",
                       "GTTS_TIMEOUT": 1}).test_client()


@pytest.fixture(scope="module")
def mute():
    import espeakng_loader

    data = Path(espeakng_loader.get_data_path())
    missing = [lang for lang in MUTE if not (data / f"{lang}_dict").exists()]
    if not missing:
        pytest.skip("the espeakng-loader wheel now has every dictionary: no mute voice left to refuse")
    return missing


def test_every_language_espeak_offers_makes_a_sound():
    espeak = Espeak()
    silent = [lang for lang in espeak.languages() if espeak.speak("hello", lang, False).duration_s < 0.1]
    assert not silent, f"espeak offers languages that say nothing: {silent}"


def test_a_mute_voice_is_a_400_naming_the_languages_espeak_speaks(client, mute):
    for lang in mute:
        for path, body in (("/tts", {"text": "hello", "lang": lang, "engine": "espeak"}),
                           ("/output", {"message": "hello", "lang": lang, "name": "mute"})):
            response = client.post(path, json=body)
            assert response.status_code == 400, (lang, path, response.data[:200])
            error = response.get_json()["error"]
            assert error["field"] == "lang" and lang not in error["allowed"] and "en" in error["allowed"]
            assert error["message"].startswith(f"lang '{lang}' is not a language of ")
            assert ", ".join(error["allowed"]) in error["message"]  # the supported ones, named
    assert not set(mute) & set(client.get("/tts/voices?engine=espeak").get_json()["languages"])


def test_text_espeak_reads_nothing_of_is_a_400_not_a_silent_mp3(client, redis_client):
    # Cherokee's voice reads letters but not digits (espeak-ng 1.52): "12" renders as exact silence.
    response = client.post("/tts", json={"text": "12", "lang": "chr", "engine": "espeak"})
    assert response.status_code == 400, f"espeak-ng now reads digits in chr; pick another silent case: {response.data[:200]!r}"
    error = response.get_json()["error"]
    assert (error["code"], error["field"], error["lang"]) == ("invalid_field", "text", "chr")
    assert error["message"] == "text makes no sound in chr: espeak can read nothing in it in that language"
    old = client.post("/output", json={"message": "12", "lang": "chr", "name": "silent"}).get_json()["error"]
    assert old["field"] == "message" and old["message"].startswith("message makes no sound in chr")
    assert not redis_client.keys("tts:*")  # nothing cached, nothing named
    assert client.post("/tts", json={"text": "12", "lang": "en", "engine": "espeak"}).status_code == 201
