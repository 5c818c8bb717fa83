"""What the respondent's browser holds between pages (DESIGN.md 6.2 and 6.4).

Two places, both signed with SECRET_KEY so they cannot be forged, neither stored on the server:

- The Flask session (HttpOnly cookie) holds the *entry*: which questionnaire this browser may
  answer, through which channel, and for an invitation the token, sealed. The token is the
  respondent's own link: keeping it lets "save and continue later" derive the draft's key without
  the server ever storing anything that can open it, and it is dropped as soon as the answers are
  sent. Flask's session cookie is signed, not encrypted (base64 of JSON), so the token goes in
  only encrypted under a key derived from SECRET_KEY (`tokens.seal_token`): a cookie reader
  (a shared computer, a proxy log) learns nothing that opens the invitation or its draft. It
  never appears in a page, a URL after the first redirect, or a log line.
- The progress cookie holds the answers so far (`Progress`): compressed, signed, HttpOnly,
  keyed by item position, at most PROGRESS_COOKIE_MAX bytes. Radio answers take a few bytes each,
  so only long comments can reach the limit; the page then asks for shorter comments rather than
  silently dropping any (respond/views.py).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from flask import current_app, g, request, session
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.wrappers import Response

from app import signing
from app.models import Channel
from app.services.keys import secret_keys
from app.services.responding import Entry, Progress, Shape
from app.services.tokens import open_token, seal_token

SESSION_KEY = "respondent"
PROGRESS_COOKIE = "chorus_progress"
# Browsers keep cookies of up to 4096 bytes (name, value and attributes); stay clear of it.
PROGRESS_COOKIE_MAX = 3800
PROGRESS_MAX_AGE_DAYS = 120


@dataclass(frozen=True)
class SessionEntry:
    questionnaire_id: uuid.UUID
    channel: Channel
    sealed_token: str | None  # as the cookie holds it; opened only by the requests that use it
    done: bool
    choose_band: bool = False  # entered by a shared children's link: may choose an age band
    band_chosen: bool = False  # ... and has chosen one (this questionnaire)

    @cached_property
    def token(self) -> str | None:
        return open_token(secret_keys(), self.sealed_token) if self.sealed_token else None


def current_entry() -> SessionEntry | None:
    data = session.get(SESSION_KEY)
    if not isinstance(data, dict):
        return None
    try:
        return SessionEntry(
            uuid.UUID(hex=str(data["q"])),
            Channel(data["ch"]),
            data["tk"] if isinstance(data.get("tk"), str) else None,
            bool(data.get("done")),
            bool(data.get("cb")),
            data.get("cb") == 2,
        )
    except (KeyError, ValueError):
        return None


def remember_entry(entry: Entry) -> None:
    session[SESSION_KEY] = {
        "q": entry.questionnaire_id.hex,
        "ch": entry.channel.value,
        "tk": seal_token(secret_keys()[0], entry.token) if entry.token else None,
        "done": False,
        **({"cb": 1} if entry.choose_band else {}),
    }


def choose_band(entry: SessionEntry, questionnaire_id: uuid.UUID) -> None:
    """A shared children's link's respondent chose their band: that questionnaire now (the
    answers so far belonged to another questionnaire, so none are carried over)."""
    session[SESSION_KEY] = {
        "q": questionnaire_id.hex,
        "ch": entry.channel.value,
        "tk": entry.sealed_token,
        "done": False,
        "cb": 2,
    }


def mark_done(entry: SessionEntry) -> None:
    """After sending: keep only what the thank-you page needs; the token is dropped."""
    session[SESSION_KEY] = {
        "q": entry.questionnaire_id.hex,
        "ch": entry.channel.value,
        "done": True,
    }


def forget_entry() -> None:
    session.pop(SESSION_KEY, None)
    forget_kiosk_start()


# A kiosk's signed "this person started at" stamp (app/services/kiosks.py), in the session only.
KIOSK_START_KEY = "kiosk_start"


def remember_kiosk_start(stamp: str) -> None:
    session[KIOSK_START_KEY] = stamp


def kiosk_start() -> object:
    return session.get(KIOSK_START_KEY)


def forget_kiosk_start() -> None:
    session.pop(KIOSK_START_KEY, None)


# -- the progress cookie --------------------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    # URLSafeSerializer compresses the JSON with zlib whenever that makes it shorter.
    # Signed with the newest key, read under any (itsdangerous wants them oldest first).
    return signing.url_safe(list(reversed(secret_keys())), "chorus-progress")


def read_progress(shape: Shape) -> Progress | None:
    raw = request.cookies.get(PROGRESS_COOKIE)
    if not raw:
        return None
    try:
        payload = _serializer().loads(raw)
    except BadSignature:
        return None
    return Progress.from_payload(payload, shape)


def encode_progress(shape: Shape, progress: Progress) -> str:
    """The cookie's value. A POST encodes the answers to check they fit and then to write them:
    the same answers are signed and compressed once (kept for this request only, in `g`)."""
    payload = progress.to_payload(shape)
    done = g.get("_progress_encoded")
    if done is not None and done[0] == payload:
        return str(done[1])
    value = str(_serializer().dumps(payload))
    g._progress_encoded = (payload, value)
    return value


def fits(value: str) -> bool:
    return len(value) <= PROGRESS_COOKIE_MAX


def write_progress(response: Response, value: str, closes_on: date, today: date) -> None:
    """Keep the answers until the survey closes (bounded), so people can come back to them."""
    days = min(PROGRESS_MAX_AGE_DAYS, max(1, (closes_on - today).days + 1))
    response.set_cookie(
        PROGRESS_COOKIE,
        value,
        max_age=days * 24 * 60 * 60,
        httponly=True,
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        samesite="Lax",
    )


def clear_progress(response: Response) -> None:
    response.delete_cookie(
        PROGRESS_COOKIE,
        httponly=True,
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        samesite="Lax",
    )
