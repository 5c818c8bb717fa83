"""Keeping open links honest without a CAPTCHA, and without keeping anything about people.

Four light checks, each explained to respondents on the open-link welcome page:

- a honeypot box hidden from people (and from screen readers) that form-filling robots fill in;
- a minimum time on each page, from a signed time stamp in the form (never stored);
- a per-connection rate limit on what costs the server (entering by a link, sending, saving)
  whose key is an HMAC of the IP address under a salt that changes every day, so the limiter's
  memory or Redis holds no address, and yesterday's keys cannot be matched with today's;
- one response per browser per questionnaire, remembered in a signed cookie in that browser.
"""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid

from flask import current_app, has_app_context, request
from itsdangerous import BadSignature, TimestampSigner, URLSafeSerializer

from app import signing
from app.models.base import utcnow
from app.services.keys import secret_keys

HONEYPOT_FIELD = "hp_note"
STAMP_FIELD = "t"
SECONDS_PER_QUESTION = 1.0  # reading and tapping one answer takes longer than this
MAX_MINIMUM_SECONDS = 3.0  # never ask anyone to wait longer than this on a page
DONE_COOKIE = "chorus_done"
DONE_MAX = 30  # questionnaires remembered per browser
DONE_MAX_AGE = 60 * 60 * 24 * 400  # a little over a year: rounds are yearly at most

# Defaults; set RESPOND_PAGE_RATE_LIMIT / RESPOND_SEND_RATE_LIMIT in the app config to change.
# Generous, because a school or library may put many honest respondents behind one address.
PAGE_RATE_LIMIT = "300 per 10 minutes"
SEND_RATE_LIMIT = "40 per 10 minutes"


def _secret() -> bytes:
    return str(current_app.config["SECRET_KEY"]).encode()


def daily_salt(day: str | None = None) -> bytes:
    """Derived from SECRET_KEY and the date, never stored: it changes at midnight UTC."""
    day = day or utcnow().date().isoformat()
    return hmac.new(_secret(), b"ratelimit-salt:" + day.encode(), hashlib.sha256).digest()


def client_key() -> str:
    """Flask-Limiter key: the connection's address, HMAC'd under today's salt."""
    address = (request.remote_addr or "unknown").encode()
    return "rc-" + hmac.new(daily_salt(), address, hashlib.sha256).hexdigest()[:32]


# Moving between pages writes nothing and touches no database (the answers travel in the
# browser's cookie), so only entries, sends and saves are counted: a respondent costs the
# limiter two or three hits, not one a page.
MOVES = frozenset({"next", "back", "start"})


def only_moving() -> bool:
    """Flask-Limiter `exempt_when`: this POST only moves between pages (nothing is written)."""
    return request.form.get("nav", "") in MOVES


def page_rate_limit() -> str:
    return str(current_app.config.get("RESPOND_PAGE_RATE_LIMIT", PAGE_RATE_LIMIT))


def send_rate_limit() -> str:
    return str(current_app.config.get("RESPOND_SEND_RATE_LIMIT", SEND_RATE_LIMIT))


# -- minimum time on a page -----------------------------------------------------------------------


def _signing_keys() -> list[str]:
    # itsdangerous signs with the last key and accepts any: oldest first.
    return list(reversed(secret_keys()))


def _signer() -> TimestampSigner:
    return signing.timestamp_signer(_signing_keys(), "chorus-page-time")


def page_stamp(questionnaire_id: uuid.UUID, page: int) -> str:
    """A signed "this page was shown at" value for the form's hidden field."""
    return _signer().sign(f"{questionnaire_id.hex}.{page}").decode()


def seconds_on_page(stamp: str, questionnaire_id: uuid.UUID, page: int) -> float | None:
    """Seconds since the page was shown; None if the stamp is missing, forged or for elsewhere."""
    try:
        value, signed_at = _signer().unsign(stamp, return_timestamp=True)
    except (BadSignature, UnicodeError, ValueError):
        return None
    if value.decode() != f"{questionnaire_id.hex}.{page}":
        return None
    return _now() - signed_at.timestamp()


def _now() -> float:
    return time.time()


def minimum_seconds(question_count: int) -> float:
    """Humane: a second a question, at most three; a comments-only page waits one second.

    RESPOND_MIN_SECONDS_PER_QUESTION in the app config changes the second (0 turns the wait
    off, e.g. for bench/load.py, whose simulated phones answer without reading).
    """
    per_question = SECONDS_PER_QUESTION
    if has_app_context():
        per_question = float(
            current_app.config.get("RESPOND_MIN_SECONDS_PER_QUESTION", SECONDS_PER_QUESTION)
        )
    return min(MAX_MINIMUM_SECONDS, per_question * max(1, question_count))


def too_quick(stamp: str, questionnaire_id: uuid.UUID, page: int, question_count: int) -> bool:
    seconds = seconds_on_page(stamp, questionnaire_id, page)
    return seconds is None or seconds < minimum_seconds(question_count)


def honeypot_filled(value: str) -> bool:
    return bool(value.strip())


# -- one response per browser ---------------------------------------------------------------------


def _done_serializer() -> URLSafeSerializer:
    return signing.url_safe(_signing_keys(), "chorus-done")


def answered_here(cookie: str | None) -> set[str]:
    """Questionnaire ids (hex) this browser has sent answers to through an open link."""
    if not cookie:
        return set()
    try:
        ids = _done_serializer().loads(cookie)
    except BadSignature:
        return set()
    return {i for i in ids if isinstance(i, str)} if isinstance(ids, list) else set()


def with_answered(cookie: str | None, questionnaire_id: uuid.UUID) -> str:
    """The cookie value with one more questionnaire remembered (the oldest forgotten first)."""
    try:
        ids = _done_serializer().loads(cookie) if cookie else []
    except BadSignature:
        ids = []
    ids = [i for i in ids if isinstance(i, str) and i != questionnaire_id.hex]
    ids.append(questionnaire_id.hex)
    return _done_serializer().dumps(ids[-DONE_MAX:])
