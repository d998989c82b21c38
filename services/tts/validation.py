"""Checking what clients send the tts service (pure, given the engines' language lists)."""

from __future__ import annotations

import re

from services.common.validation import invalid, is_unicode
from services.tts.engines import ENGINES

MAX_TEXT = 5000
# A name the old API may give a file: plain letters, digits, '_' and '-', nothing that is a path.
NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")


def parse_request(body: dict, engines, default_engine: str) -> dict:
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        raise invalid("text", "must be non-empty text")
    if len(text) > MAX_TEXT:
        raise invalid("text", f"must be at most {MAX_TEXT:,} characters, not {len(text):,}")
    if not is_unicode(text):  # a lone surrogate, from a broken client
        raise invalid("text", "must be valid Unicode")
    if not any(ch.isalnum() for ch in text):
        raise invalid("text", "has nothing to say: no letters or digits")
    engine = body.get("engine", default_engine)
    if engine not in ENGINES:
        raise invalid("engine", f"must be one of {', '.join(ENGINES)}", allowed=list(ENGINES))
    lang = body.get("lang", "en")
    known = languages(engines, engine)
    if not isinstance(lang, str) or lang not in known:
        # Named in full: a person reading the message finds theirs (`ko`, not `kr`) in it.
        raise invalid("lang", f"{lang!r} is not a language of {engine}; it speaks {', '.join(known)}", allowed=known)
    slow = body.get("slow", False)
    if not isinstance(slow, bool):
        raise invalid("slow", "must be true or false")
    name = body.get("name")
    if name is not None:
        name = check_name(name)
    return {"text": text, "lang": lang, "engine": engine, "slow": slow, "name": name}


def languages(engines, engine: str) -> list[str]:
    if engine == "auto":
        return sorted(set(engines.gtts.languages()) | set(engines.espeak.languages()))
    return engines.get(engine).languages()


def check_name(name) -> str:
    """A file name from the client, accepted only as a plain name; `x.mp3` means `x`."""
    if isinstance(name, str) and name.endswith(".mp3"):
        name = name[:-4]
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise invalid("name", "must be 1-64 letters, digits, '_' or '-' (no paths)")
    return name

