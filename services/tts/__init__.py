"""tts: text to MP3 with gTTS online or espeak-ng offline, cached in Redis and on disk."""

from __future__ import annotations

import os
from pathlib import Path

from services.common.app import make_app


def create_app(config: dict | None = None):
    """The tts app. config: DATA_DIR, REDIS_URL, TTS_ENGINE (auto), TTS_MAX_BYTES, GTTS_URL, GTTS_TIMEOUT,
    TTS_ESPEAK_WORKERS."""
    from services.tts import api

    defaults = {
        "TTS_ENGINE": os.environ.get("TTS_ENGINE", "auto"),
        "TTS_MAX_BYTES": int(os.environ.get("TTS_MAX_BYTES", str(200 * 1024 * 1024))),
        "GTTS_URL": os.environ.get("GTTS_URL"),  # another base address for Google's endpoint
        "GTTS_TIMEOUT": float(os.environ.get("GTTS_TIMEOUT", "3")),
        "TTS_ESPEAK_WORKERS": int(os.environ.get("TTS_ESPEAK_WORKERS", "0")),  # 0: in this process
        "TTS_OWNER_SHARE": float(os.environ.get("TTS_OWNER_SHARE", "0.25")),  # of TTS_MAX_BYTES, per account
    }
    return make_app("tts", config, _make_speaker, api.bp, defaults)


def _make_speaker(app):
    from services.common.streams import connect
    from services.tts.cache import AudioCache
    from services.tts.engines import Engines, Espeak, Gtts
    from services.tts.speech import Speaker

    engines = Engines(Gtts(app.config["GTTS_URL"], app.config["GTTS_TIMEOUT"]), Espeak(app.config["TTS_ESPEAK_WORKERS"]))
    cache = AudioCache(connect(app.config["REDIS_URL"], app.config.get("REDIS_PASSWORD")), Path(app.config["DATA_DIR"]) / "tts", app.config["TTS_MAX_BYTES"],
                       app.config["TTS_OWNER_SHARE"], log=app.logger.warning)
    return Speaker(engines, cache)
