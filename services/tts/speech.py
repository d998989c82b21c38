"""Saying something: the cache first, then an engine; what `POST /tts` and `POST /output` share."""

from __future__ import annotations

from services.common.errors import ApiError
from services.tts.cache import AudioCache
from services.tts.engines import EngineError, Engines, NoSound


class Speaker:
    def __init__(self, engines: Engines, cache: AudioCache):
        self.engines, self.cache = engines, cache

    def say(self, text: str, lang: str, engine: str, slow: bool, owner: str | None = None) -> tuple[dict, bool]:
        """(metadata, cached). For `auto`, a cached gTTS rendering wins over a cached espeak one."""
        names = ["gtts", "espeak"] if engine == "auto" else [engine]
        for name in names:
            meta = self.cache.lookup(self.cache.entry_id(name, lang, slow, text))
            if meta:
                return meta, True
        # One synthesis of a text at a time: a second request for it waits, then finds it cached.
        with self.cache.lock(self.cache.entry_id(engine, lang, slow, text)):
            for name in names:
                meta = self.cache.lookup(self.cache.entry_id(name, lang, slow, text))
                if meta:
                    return meta, True
            try:
                speech = self.engines.speak(engine, text, lang, slow)
            except EngineError as exc:
                raise ApiError(503, "engine_unavailable", str(exc), engine=engine) from None
            except NoSound as exc:
                raise ApiError(400, "invalid_field", str(exc), field="text", lang=lang) from None
            entry_id = self.cache.entry_id(speech.engine, lang, slow, text)
            meta = self.cache.store(entry_id, speech.audio, {"engine": speech.engine, "lang": lang, "slow": slow,
                                                              "duration_s": speech.duration_s}, owner)
        return meta, False
