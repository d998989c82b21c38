"""What services/tts/engines.py relies on in gTTS, checked against the installed gTTS.

GTTS_URL sends gTTS's requests to another base address (a mirror, or the tests' local Google).
gTTS has no public option for that: `tld` only picks a google.<tld> domain, and the proxies it
reads from the environment would tunnel, not redirect. So the engine overrides
`gTTS._prepare_requests` and rewrites each request's URL; setup.cfg caps gTTS below its next
minor release, and this test says "upstream changed" when that hook moves.
"""

from __future__ import annotations

import pytest
import requests
from gtts import gTTS

from services.tts.engines import EngineError, Gtts
from tests.unit.upstream import expect, expect_signature

NAME = "gtts.tts.gTTS._prepare_requests"


def test_prepare_requests_returns_the_requests_to_google():
    expect_signature(NAME, getattr(gTTS, "_prepare_requests", None), "(self)")
    prepared = gTTS("hello. world", lang="en", lang_check=False)._prepare_requests()
    expect(NAME, isinstance(prepared, list) and prepared, f"it returned {prepared!r}, not a list of requests")
    for request in prepared:
        expect(NAME, isinstance(request, requests.PreparedRequest), f"it returned a {type(request).__name__}")
        expect(NAME, request.url.startswith("https://translate.google.com/_/"), f"request URL is {request.url}")


def test_speaking_sends_the_requests_prepare_requests_made(monkeypatch):
    sent = []

    def send(session, request, **kwargs):
        sent.append(request.url)
        raise requests.ConnectionError("the test sends nothing")

    monkeypatch.setattr(requests.Session, "send", send)
    with pytest.raises(EngineError):
        Gtts(base_url="http://127.0.0.1:9/mirror", timeout=1).speak("hello", "en", slow=False)
    expect(NAME, sent == ["http://127.0.0.1:9/mirror/_/TranslateWebserverUi/data/batchexecute"],
           f"gTTS sent {sent}, not the URLs our override of _prepare_requests set")
