"""What an account's email and password must be: one policy, applied at signup and sign-in alike.

- Emails are compared as people read them: Unicode NFKC, then case folded, so `josé` typed
  composed or decomposed, or in fullwidth letters, is one account. Characters nobody types in an
  address (controls, NUL, escape sequences, bidi overrides, zero-width and other format
  characters) are refused, not silently dropped: an address shown in a terminal or a log must be
  the address stored.
- Passwords: at least MIN_PASSWORD characters and hard to guess as zxcvbn (Dropbox's estimator,
  trained on leaked passwords, words and keyboard patterns) judges them: a score of MIN_SCORE
  (about 10^8 guesses) or more. The reason zxcvbn gives is the reason the client gets.
"""

from __future__ import annotations

import re
import unicodedata

from services.common.validation import invalid, is_unicode

EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,63}")
EMAIL_MAX = 254  # RFC 5321's limit on a whole address
MIN_PASSWORD = 10
MAX_PASSWORD = 1024  # scrypt takes any length; a megabyte "password" is only load
MIN_SCORE = 3
ESTIMATED = 100  # zxcvbn's cost grows with length; past this a password is long enough to judge by its start
# Unicode categories no one types in an address: controls (NUL, ESC, ...), format characters
# (bidi overrides, zero-width joiners), surrogates, private use, unassigned, line/paragraph separators.
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def normalize_email(email) -> str | None:
    """The address as stored and compared, or None when it is not one we accept."""
    if not isinstance(email, str) or len(email) > EMAIL_MAX or not is_unicode(email):
        return None
    email = email.strip()
    if any(unicodedata.category(ch) in REFUSED_CATEGORIES for ch in email):
        return None
    email = unicodedata.normalize("NFKC", email).casefold()
    return email if len(email) <= EMAIL_MAX and EMAIL.fullmatch(email) else None


def check_email(email) -> str:
    normal = normalize_email(email)
    if normal is None:
        raise invalid("email", "must be an email address (no control, format or bidi characters)")
    return normal


def check_password(password, email: str = "") -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise invalid("password", f"must be at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise invalid("password", f"must be at most {MAX_PASSWORD} characters")
    if not is_unicode(password):  # a lone surrogate cannot be hashed
        raise invalid("password", "must be valid Unicode")
    from zxcvbn import zxcvbn  # its dictionaries load on first use, not at import of the gateway

    judged = zxcvbn(password[:ESTIMATED], user_inputs=[email, email.split("@")[0]] if email else [])
    if judged["score"] < MIN_SCORE:
        feedback = judged["feedback"]
        why = feedback.get("warning") or " ".join(feedback.get("suggestions", [])) or "it is easy to guess"
        raise invalid("password", f"is too easy to guess: {why.rstrip('.')}. Add uncommon words, or make it longer",
                      reason=why)
    return password
