"""The tts service: create_app + test_client, a real Redis for its cache.

Google's endpoint cannot be reached from here, so the gTTS path runs against GoogleStandIn: a
local HTTP stand-in that answers gTTS's batchexecute request the way Google does.
"""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler

import pytest

from services.tts import create_app
from services.tts.engines import Espeak
from services.tts.mp3 import duration, frames
from tests.helpers import LocalServer


class GoogleStandIn:
    """Local stand-in for translate.google.com's TTS endpoint. mode: ok | fail | slow (holds each
    request until `release` is set, so only a client that gives up gets an answer before that)."""

    def __init__(self, audio: bytes):
        self.audio, self.mode, self.requests = audio, "ok", 0
        self.release = threading.Event()
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                stand_in.requests += 1
                if stand_in.mode == "slow":
                    stand_in.release.wait(30)
                if stand_in.mode == "fail":
                    self.send_response(500)
                    self.end_headers()
                    return
                b64 = base64.b64encode(stand_in.audio).decode()
                rpc = json.dumps([["wrb.fr", "jQ1olc", json.dumps([b64]), None, None, None, "generic"]], separators=(",", ":"))
                body = (")]}'\n\n123\n" + rpc + "\n").encode()  # Google's compact batchexecute framing
                try:
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # slow mode: the client has given up on us, as it should

        self.local = LocalServer(Handler)
        self.url = self.local.url

    def close(self):
        self.local.close()


@pytest.fixture(scope="module")
def google():
    audio = Espeak().speak("this audio came from the stand in", "en", False).audio
    stand_in = GoogleStandIn(audio)
    yield stand_in
    stand_in.close()


@pytest.fixture
def make(tmp_path, redis_client, redis_url, google):
    google.mode = "ok"
    google.release.clear()

    def build(**config):
        return create_app({"DATA_DIR": str(tmp_path), "REDIS_URL": redis_url, "GTTS_URL": google.url, "GTTS_TIMEOUT": 1, **config})

    yield build
    google.release.set()  # a held request ends with the test


class Counting:
    """Wraps an engine to count the syntheses it makes."""

    def __init__(self, engine):
        self.engine, self.calls, self.name = engine, 0, engine.name

    def languages(self):
        return self.engine.languages()

    def speak(self, *args):
        self.calls += 1
        return self.engine.speak(*args)


def test_espeak_makes_a_valid_mp3_of_a_plausible_length(make):
    client = make().test_client()
    text = "The quick brown fox jumps over the lazy dog, twice over, to be sure."
    made = client.post("/tts", json={"text": text, "lang": "en", "engine": "espeak"}).get_json()
    assert made["engine"] == "espeak" and made["cached"] is False
    audio = client.get(made["url"]).data
    assert len(audio) == made["bytes"] and len(list(frames(audio))) > 50
    assert 2.5 < duration(audio) < 10  # about 14 words
    assert abs(duration(audio) - made["duration_s"]) < 0.2


def test_the_same_request_twice_is_served_from_the_cache(make):
    app = make()
    espeak = app.extensions["tts.store"].engines.espeak = Counting(app.extensions["tts.store"].engines.espeak)
    client = app.test_client()
    first = client.post("/tts", json={"text": "cache me", "engine": "espeak"}).get_json()
    second = client.post("/tts", json={"text": "cache me", "engine": "espeak"}).get_json()
    assert (first["cached"], second["cached"]) == (False, True) and first["id"] == second["id"]
    assert espeak.calls == 1
    assert client.get(f"/tts/{first['id']}").get_json()["engine"] == "espeak"


def test_gtts_goes_to_google_and_auto_prefers_it(make, google):
    client = make().test_client()
    made = client.post("/tts", json={"text": "hello", "engine": "gtts"}).get_json()
    assert made["engine"] == "gtts" and client.get(made["url"]).data == google.audio
    assert client.post("/tts", json={"text": "hello again"}).get_json()["engine"] == "gtts"


@pytest.mark.parametrize("mode", ["fail", "slow"])
def test_auto_falls_back_to_espeak_when_google_fails_or_is_slow(make, google, mode):
    client = make().test_client()
    google.mode = mode
    made = client.post("/tts", json={"text": f"fallback when {mode}"}).get_json()
    # A slow Google still holds the request: espeak answered because gTTS gave up (GTTS_TIMEOUT).
    assert made["engine"] == "espeak" and not google.release.is_set()
    asked = google.requests
    client.post("/tts", json={"text": "and straight to espeak for a while"})
    assert google.requests == asked, "after a failure auto does not wait on Google again at once"
    explicit = client.post("/tts", json={"text": "gtts only", "engine": "gtts"})
    assert explicit.status_code == 503 and explicit.get_json()["error"]["code"] == "engine_unavailable"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"text": ""}, "text"),
        ({"text": "   \n"}, "text"),
        ({"text": "x" * 5001}, "text"),
        ({"text": "hi", "lang": "xx"}, "lang"),
        ({"text": "hi", "engine": "festival"}, "engine"),
        ({"text": "hi", "slow": "yes"}, "slow"),
        ({"text": "hi", "name": "../../etc/passwd"}, "name"),
        ({"text": "hi", "name": "/abs/path"}, "name"),
        ({"text": "hi", "name": "a\x00b"}, "name"),
        ({"text": "hi", "name": "%2e%2e%2fx"}, "name"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(make, body, field):
    response = make().test_client().post("/tts", json=body)
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == field


def test_an_unknown_language_lists_the_engines_languages(make):
    error = make().test_client().post("/tts", json={"text": "hi", "lang": "xx", "engine": "espeak"}).get_json()["error"]
    assert "pt" in error["allowed"] and "ko" in error["allowed"]


@pytest.mark.parametrize("lang, text", [("pt", "Olá, tudo bem? Até já."), ("ko", "안녕하세요, 반갑습니다"), ("en", "coffee ☕ time 😀")])
def test_unicode_text_is_spoken(make, lang, text):
    made = make().test_client().post("/tts", json={"text": text, "lang": lang, "engine": "espeak"})
    assert made.status_code == 201 and made.get_json()["duration_s"] > 0.3


def test_paths_never_leave_the_audio_folder(make, tmp_path):
    client = make().test_client()
    (tmp_path / "secret.mp3").write_bytes(b"not yours")
    for url in ("/files/../secret.mp3", "/files/..%2Fsecret", "/files/%2e%2e/secret", "/files/%00", "/tts/../secret.mp3",
                "/tts/..%2Fsecret.mp3", "/tts/" + "a" * 31 + "Z.mp3"):
        response = client.get(url)
        assert response.status_code in (400, 404), url
        assert b"not yours" not in response.data


def test_the_original_api_still_works(make):
    client = make().test_client()
    made = client.post("/output", json={"message": "hello old client", "name": "greeting"})
    assert made.status_code == 201 and made.get_json()["url"] == "/files/greeting"
    download = client.get("/files/greeting.mp3")
    assert download.status_code == 200 and download.mimetype == "audio/mpeg" and len(list(frames(download.data))) > 5
    assert client.get("/files/nobody").status_code == 404


def test_range_requests_and_downloads(make):
    client = make().test_client()
    made = client.post("/tts", json={"text": "ranges", "engine": "espeak"}).get_json()
    part = client.get(made["url"], headers={"Range": "bytes=0-99"})
    assert part.status_code == 206 and len(part.data) == 100
    attached = client.get(made["url"] + "?download=1")
    assert attached.headers["Content-Disposition"].startswith("attachment")


def test_eviction_keeps_the_cache_within_its_size_and_consistent(make, redis_client, tmp_path):
    client = make(TTS_MAX_BYTES=40_000).test_client()
    made = [client.post("/tts", json={"text": f"entry number {i}, spoken at some length to fill the cache", "engine": "espeak"}).get_json() for i in range(8)]
    total = int(redis_client.get("tts:bytes"))
    assert 0 < total <= 40_000
    kept = redis_client.zrange("tts:lru", 0, -1)
    assert made[-1]["id"] in kept and made[0]["id"] not in kept  # least recently used went first
    files = {p.stem for p in (tmp_path / "tts").glob("*.mp3")}
    assert files == set(kept), "every entry has its file and every file its entry"
    assert sum((tmp_path / "tts" / f"{i}.mp3").stat().st_size for i in kept) == total
    again = client.post("/tts", json={"text": "entry number 0, spoken at some length to fill the cache", "engine": "espeak"}).get_json()
    assert again["cached"] is False


class Announcing(Counting):
    """Wraps an engine to tell when a synthesis has begun."""

    def __init__(self, engine):
        super().__init__(engine)
        self.started = threading.Event()

    def speak(self, *args):
        self.started.set()
        return super().speak(*args)


def test_a_long_synthesis_does_not_hold_up_a_cached_answer(make):
    app = make()
    client = app.test_client()
    client.post("/tts", json={"text": "quick one", "engine": "espeak"})
    espeak = app.extensions["tts.store"].engines.espeak = Announcing(app.extensions["tts.store"].engines.espeak)
    done = {}

    def long_one():
        app.test_client().post("/tts", json={"text": "a long text to speak. " * 220, "engine": "espeak"})
        done["long"] = True

    thread = threading.Thread(target=long_one)
    thread.start()
    assert espeak.started.wait(10), "the long synthesis began"
    assert client.post("/tts", json={"text": "quick one", "engine": "espeak"}).get_json()["cached"] is True
    assert "long" not in done, "the cached answer came only after the long synthesis"
    thread.join(60)
    assert done == {"long": True}


def test_espeak_in_worker_processes_makes_the_same_kind_of_mp3(make):
    app = make(TTS_ESPEAK_WORKERS=1)
    client = app.test_client()
    try:
        made = client.post("/tts", json={"text": "spoken in a worker process", "engine": "espeak"}).get_json()
        assert made["engine"] == "espeak" and duration(client.get(made["url"]).data) > 0.5
    finally:
        app.extensions["tts.store"].engines.espeak.close()


@pytest.mark.parametrize("body", ['{"text": "..."}', '{"text": "\\ud800 hi"}', "[" * 30000 + "]" * 30000])
def test_text_that_cannot_be_spoken_is_a_400_not_a_500(make, body):
    response = make().test_client().post("/tts", data=body, content_type="application/json")
    assert response.status_code == 400


def test_every_listed_espeak_language_can_speak(make):
    client = make().test_client()
    languages = client.get("/tts/voices?engine=espeak").get_json()["languages"]
    assert len(languages) > 50, languages
    refused = [lang for lang in languages
               if client.post("/tts", json={"text": "one two", "lang": lang, "engine": "espeak"}).status_code != 201]
    assert refused == [], f"listed but cannot speak: {refused}"


def test_a_half_written_entry_is_a_miss_not_a_500(make, redis_client):
    app = make()
    cache = app.extensions["tts.store"].cache
    entry = cache.entry_id("espeak", "en", False, "half")
    redis_client.hset(f"tts:entry:{entry}", "id", json.dumps(entry))
    made = app.test_client().post("/tts", json={"text": "half", "engine": "espeak"})
    assert made.status_code == 201 and made.get_json()["cached"] is False


def test_files_no_entry_points_to_are_removed(make, tmp_path):
    app = make()
    orphan = tmp_path / "tts" / ("ab" * 16 + ".mp3")
    orphan.write_bytes(b"written while redis was down")
    assert app.extensions["tts.store"].cache.reconcile(min_age_s=0) == ["ab" * 16]
    assert not orphan.exists()


def test_the_old_api_names_its_own_field(make):
    error = make().test_client().post("/output", json={"name": "x"}).get_json()["error"]
    assert error["field"] == "message" and error["message"].startswith("message ")


def test_audio_made_while_redis_is_away_keeps_its_url_and_is_cached_once_it_is_back(tmp_path, own_redis):
    app = create_app({"DATA_DIR": str(tmp_path), "REDIS_URL": own_redis.url, "TTS_ENGINE": "espeak"})
    client = app.test_client()
    own_redis.stop()
    made = client.post("/tts", json={"text": "made during the outage"}).get_json()
    assert made["cached"] is False and client.get(made["url"]).status_code == 200
    own_redis.start()  # empty: it kept nothing
    later = client.post("/tts", json={"text": "made after it"}).get_json()  # indexes what waited
    again = client.post("/tts", json={"text": "made during the outage"}).get_json()
    assert again["cached"] is True and again["id"] == made["id"]
    assert client.get(made["url"]).status_code == 200 and client.get(f"/tts/{made['id']}").get_json()["bytes"] == made["bytes"]
    assert app.extensions["tts.store"].cache.reconcile(min_age_s=0) == [], "nothing is left unindexed"
    assert sorted(p.name for p in (tmp_path / "tts").iterdir()) == sorted([f"{made['id']}.mp3", f"{later['id']}.mp3"])
