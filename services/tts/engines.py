"""Text-to-speech engines: gTTS (Google, online) and espeak-ng (offline), and `auto`.

- gtts: the real gTTS library. GTTS_URL, when set, sends its requests to another base address
  (a mirror, or the tests' local stand-in for Google, which this network cannot reach).
- espeak: espeak-ng from the espeakng-loader wheel through ctypes, PCM encoded to MP3 by lameenc;
  no system package, no download. The library is not thread-safe: one synthesis at a time.
- auto: gtts when Google answers within GTTS_TIMEOUT, else espeak; after a failure, espeak
  straight away for GTTS_RETRY_AFTER seconds rather than waiting on Google for every request.
"""

from __future__ import annotations

import ctypes
import io
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from services.tts import mp3

ENGINES = ("auto", "gtts", "espeak")


@dataclass(frozen=True)
class Speech:
    audio: bytes
    engine: str
    duration_s: float


class EngineError(Exception):
    """The engine could not speak this (unreachable, refused); auto falls back on it."""


class NoSound(Exception):
    """espeak made only silence of this text in this language: nothing in it is readable there.
    The client's to change, not the engine's fault."""


class Espeak:
    """espeak-ng through ctypes. The C library is one per process, with global state (its voice,
    its callback): every Espeak shares it, and one synthesis runs at a time in a process. With
    `workers`, syntheses run in that many worker processes instead (bench/tts.py compares)."""

    name = "espeak"

    def __init__(self, workers: int = 0):
        self.workers = workers
        self._pool = None
        self._pool_lock = threading.Lock()

    def languages(self) -> list[str]:
        return _espeak().languages

    def speak(self, text: str, lang: str, slow: bool) -> Speech:
        if self.workers:
            return self._worker_pool().submit(_speak_here, text, lang, slow).result()
        return _speak_here(text, lang, slow)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def _worker_pool(self):
        with self._pool_lock:
            if self._pool is None:
                import multiprocessing
                from concurrent.futures import ProcessPoolExecutor

                # spawn, not fork: forking a process that serves from threads copies held locks.
                self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"))
            return self._pool


def _speak_here(text: str, lang: str, slow: bool) -> Speech:
    import lameenc

    library = _espeak()
    pcm = library.synthesize(text, lang, 110 if slow else 175)
    if not audible(pcm):  # else a silent MP3 of a few frames, served as if it said something
        raise NoSound(f"text makes no sound in {lang}: espeak can read nothing in it in that language")
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(64)
    encoder.set_in_sample_rate(library.rate)
    encoder.set_channels(1)
    encoder.set_quality(7)
    audio = bytes(encoder.encode(pcm) + encoder.flush())
    return Speech(audio, Espeak.name, round(len(pcm) / _EspeakLibrary.SAMPLE_WIDTH / library.rate, 3))


def audible(pcm: bytes) -> bool:
    """Whether 16-bit PCM holds any sound: espeak renders what it cannot read as exact zeros."""
    return bool(pcm.strip(b"\0"))


class _EspeakLibrary:
    SAMPLE_WIDTH = 2
    PROBE = "hello"  # every voice that works says it, in its own way

    def __init__(self):
        import espeakng_loader

        self.lock = threading.Lock()
        self.lib = lib = ctypes.CDLL(espeakng_loader.get_library_path())
        self.rate = lib.espeak_Initialize(0x02, 0, espeakng_loader.get_data_path().encode(), 0)  # synchronous
        if self.rate <= 0:
            raise EngineError("espeak-ng did not initialise")
        self._chunks: list[bytes] = []
        callback_type = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)

        def collect(wav, samples, events):
            if samples > 0:
                self._chunks.append(ctypes.string_at(wav, samples * self.SAMPLE_WIDTH))
            return 0

        self._callback = callback_type(collect)  # kept alive: the library holds a pointer to it
        lib.espeak_SetSynthCallback(self._callback)
        lib.espeak_ListVoices.restype = ctypes.POINTER(ctypes.POINTER(_Voice))
        voices = lib.espeak_ListVoices(None)
        found, i = set(), 0
        while voices[i]:
            language = voices[i].contents.languages[1:].decode()  # a priority byte, then the name
            found.update({language, language.split("-")[0]})
            i += 1
        # Only what espeak can load by that name (some listed names are not voice names), and
        # that makes a sound: a voice whose dictionary is not in the wheel (fo, kaa, xex today)
        # loads, then says nothing at all. Probing every voice adds ~0.08 s to the first use in a process.
        self.languages = sorted(code for code in found if lib.espeak_SetVoiceByName(code.encode()) == 0
                                and audible(self.synthesize(self.PROBE, code, 175)))

    def synthesize(self, text: str, lang: str, words_per_minute: int) -> bytes:
        with self.lock:
            if self.lib.espeak_SetVoiceByName(lang.encode()) != 0:
                raise EngineError(f"espeak has no voice for {lang}")
            self.lib.espeak_SetParameter(1, words_per_minute, 0)  # espeakRATE
            self._chunks = []
            data = text.encode()
            if self.lib.espeak_Synth(data, len(data) + 1, 0, 1, 0, 1, None, None) != 0:  # UTF-8 text
                raise EngineError("espeak could not synthesise this text")
            return b"".join(self._chunks)


_LIBRARY: _EspeakLibrary | None = None  # the process's one espeak-ng, made on first use
_LIBRARY_LOCK = threading.Lock()


def _espeak() -> _EspeakLibrary:
    global _LIBRARY
    with _LIBRARY_LOCK:
        if _LIBRARY is None:
            _LIBRARY = _EspeakLibrary()
        return _LIBRARY


class _Voice(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("languages", ctypes.c_char_p), ("identifier", ctypes.c_char_p),
                ("gender", ctypes.c_ubyte), ("age", ctypes.c_ubyte), ("variant", ctypes.c_ubyte),
                ("xx1", ctypes.c_ubyte), ("score", ctypes.c_int), ("spare", ctypes.c_void_p)]


class Gtts:
    name = "gtts"

    def __init__(self, base_url: str | None = None, timeout: float = 3.0):
        self.base_url, self.timeout = base_url, timeout

    def languages(self) -> list[str]:
        from gtts.lang import tts_langs

        return sorted(tts_langs())

    def speak(self, text: str, lang: str, slow: bool) -> Speech:
        from gtts import gTTS, gTTSError

        class Redirected(gTTS):
            base = self.base_url

            def _prepare_requests(inner):
                requests = super()._prepare_requests()
                if inner.base:
                    target = urlsplit(inner.base)
                    for request in requests:
                        parts = urlsplit(request.url)
                        request.url = urlunsplit((target.scheme, target.netloc, target.path.rstrip("/") + parts.path, parts.query, ""))
                return requests

        buffer = io.BytesIO()
        try:
            Redirected(text, lang=lang, slow=slow, timeout=self.timeout).write_to_fp(buffer)
        except (gTTSError, OSError, ValueError, AssertionError) as exc:  # gTTS asserts on unspeakable text
            raise EngineError(f"gTTS failed: {exc or type(exc).__name__}") from None
        audio = buffer.getvalue()
        if not audio:
            raise EngineError("gTTS returned no audio")
        return Speech(audio, self.name, mp3.duration(audio))


class Engines:
    """Picks the engine for a request; `auto` remembers a recent gTTS failure."""

    def __init__(self, gtts: Gtts, espeak: Espeak, retry_after_s: float = 30.0):
        self.gtts, self.espeak, self.retry_after_s = gtts, espeak, retry_after_s
        self._gtts_failed_at = float("-inf")

    def get(self, name: str):
        return {"gtts": self.gtts, "espeak": self.espeak}[name]

    def candidates(self, name: str) -> list:
        """The engines to try for `name`, in order."""
        if name != "auto":
            return [self.get(name)]
        if time.monotonic() - self._gtts_failed_at < self.retry_after_s:
            return [self.espeak]
        return [self.gtts, self.espeak]

    def speak(self, name: str, text: str, lang: str, slow: bool) -> Speech:
        last: EngineError | None = None
        for engine in self.candidates(name):
            if lang not in engine.languages():
                last = EngineError(f"{engine.name} has no language {lang}")
                continue
            try:
                return engine.speak(text, lang, slow)
            except EngineError as exc:
                last = exc
                if engine is self.gtts:
                    self._gtts_failed_at = time.monotonic()
        raise last or EngineError("no engine")
