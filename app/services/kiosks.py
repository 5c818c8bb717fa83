"""Kiosks: a shared tablet at an event, paired to one open link (issue 18).

A coordinator creates a kiosk on the open-links page and is shown a one-time pairing code once
(short, expiring after PAIRING_MINUTES, single use, kept only as a keyed hash). Typing it on the
tablet's pairing page pairs the tablet: it gets a random device secret in a signed HttpOnly
cookie, kept on the server only as a keyed hash. From then on the tablet answers the link's
questionnaire through the `kiosk` channel, one person after another.

Revoking keeps the day only (`revoked_on`, with the audit entry holding who and when). A queued
submission carries a grant issued by the server while the kiosk was paired and not revoked
(app/services/offline); the grant names the kiosk (`k`) and its day (`d`). Since no grant is
issued to a revoked kiosk, a grant dated on or before the revocation day proves the device was
allowed to answer before it was revoked; nothing about when an answer was made is stored. The
limit of a day stamp: grants a tablet already held (at most GRANT_POOL) and used later on the
revocation day still count; the tablet wipes them the next time it hears it is revoked.

Rules for a shared device, instead of the open link's one-answer-per-browser and seconds-per-page
(app/services/abuse.py): a minimum time per questionnaire (a signed start stamp kept in the
tablet's session, never stored), a cap of sends per hour per kiosk (Flask-Limiter keyed by the
kiosk's id, not by the address, so several kiosks behind one venue's connection do not share a
limit), and a cap on the grants a kiosk can hold for working offline.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
import uuid
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from flask import current_app, has_app_context, request
from itsdangerous import BadSignature, TimestampSigner, URLSafeSerializer
from sqlalchemy import select

from app.extensions import db
from app.i18n import N_
from app.models import Channel, FeedbackRound, Kiosk, OpenLink, User
from app.models.base import utcnow
from app.services import audit
from app.services.keys import secret_keys

if TYPE_CHECKING:
    from app.services.offline import Grant
    from app.services.offline.queued import Answer

PAIRING_MINUTES = 15
PAIRING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off a laptop screen
PAIRING_LENGTH = 8  # 32^8 = 10^12 codes, tried at most a few a minute per connection
NAME_MAX = 80
DEVICE_COOKIE = "chorus_kiosk"
DEVICE_MAX_AGE = 60 * 60 * 24 * 120  # a round lasts weeks; revoking ends it sooner

# Per-kiosk rules (documented on the open-links page); config keys override them.
SECONDS_PER_QUESTION = 2.0  # a whole questionnaire in less than this a question is not read
MAX_MINIMUM_SECONDS = 60.0
SEND_RATE_LIMIT = "60 per hour"  # one person a minute, all day, is a busy stall
GRANT_POOL = 100  # grants a kiosk holds for working offline (per age band on a shared link)
GRANT_RATE_LIMIT = "120 per hour"  # fetches of the offline kit (pages and grants)
IDLE_SECONDS = 120  # untouched this long, a half-finished questionnaire is about to be cleared
WARN_SECONDS = 30  # the warning's time to answer "I am still here" (WCAG 2.2.1: at least 20)


class KioskProblem(Exception):
    """Why a pairing or a kiosk request is refused, in a respondent's words (catalog msgids)."""

    def __init__(self, status: int, code: str):
        super().__init__(code)
        self.status = status
        self.code = code


def _keyed_hashes(purpose: bytes, value: str) -> list[str]:
    """The value's keyed hash under each key, newest first (keys rotate, DESIGN.md 6.8)."""
    return [
        hmac.new(
            hmac.new(k.encode(), b"chorus kiosk " + purpose, hashlib.sha256).digest(),
            value.encode(),
            hashlib.sha256,
        ).hexdigest()
        for k in secret_keys()
    ]


def normalise_code(text: str) -> str:
    """What people type: any case, with spaces or a dash between the halves."""
    return "".join(ch for ch in text.upper() if ch.isalnum())[: PAIRING_LENGTH + 4]


def display_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


# -- staff side -----------------------------------------------------------------------------------


def kiosks_of(round_id: uuid.UUID) -> list[Kiosk]:
    return list(
        db.session.execute(
            select(Kiosk).where(Kiosk.round_id == round_id).order_by(Kiosk.created_at, Kiosk.name)
        ).scalars()
    )


def clean_name(text: str) -> str | None:
    name = " ".join(text.split())
    return name if 0 < len(name) <= NAME_MAX else None


def _new_pairing(kiosk: Kiosk) -> str:
    code = "".join(secrets.choice(PAIRING_ALPHABET) for _ in range(PAIRING_LENGTH))
    kiosk.pairing_hash = _keyed_hashes(b"pairing", code)[0]
    kiosk.pairing_expires_at = utcnow() + timedelta(minutes=PAIRING_MINUTES)
    return code


def create(rnd: FeedbackRound, link: OpenLink, name: str, actor: User) -> tuple[Kiosk, str]:
    """A new kiosk for this open link and its pairing code (shown once, never stored)."""
    kiosk = Kiosk(round_id=rnd.id, open_link_id=link.id, name=name)
    code = _new_pairing(kiosk)
    db.session.add(kiosk)
    db.session.flush()
    audit.record(
        "kiosk.created",
        f"Created the kiosk “{name}” for the {link.audience} open link",
        organisation_id=rnd.organisation_id,
        actor=actor,
        round=rnd,
        object_type="kiosk",
        object_id=kiosk.id,
        details={"audience": link.audience},
    )
    return kiosk, code


def new_pairing_code(rnd: FeedbackRound, kiosk: Kiosk, actor: User) -> str:
    """A fresh code for a kiosk not yet paired (the first expired, or was lost)."""
    if kiosk.paired or kiosk.revoked:
        raise ValueError("only a kiosk waiting to be paired gets a new code")
    code = _new_pairing(kiosk)
    db.session.flush()
    audit.record(
        "kiosk.pairing_code",
        f"Made a new pairing code for the kiosk “{kiosk.name}”",
        organisation_id=rnd.organisation_id,
        actor=actor,
        round=rnd,
        object_type="kiosk",
        object_id=kiosk.id,
    )
    return code


def revoke(rnd: FeedbackRound, kiosk: Kiosk, actor: User, on: date) -> None:
    """The tablet stops taking answers; what it queued before today's end is still accepted."""
    if kiosk.revoked:
        return
    kiosk.revoked_on = on
    kiosk.pairing_hash = None
    kiosk.pairing_expires_at = None
    db.session.flush()
    audit.record(
        "kiosk.revoked",
        f"Revoked the kiosk “{kiosk.name}”",
        organisation_id=rnd.organisation_id,
        actor=actor,
        round=rnd,
        object_type="kiosk",
        object_id=kiosk.id,
    )


# -- the tablet -----------------------------------------------------------------------------------


def pair(code_text: str, on: date, now: datetime | None = None) -> tuple[Kiosk, str]:
    """Spend a pairing code: the kiosk and the device secret for the tablet's cookie.

    KioskProblem("wrong_code") for an unknown or used code (the same words for both, so a
    guess learns nothing), "expired" for a code past its time, "revoked" for a revoked kiosk.
    """
    code = normalise_code(code_text)
    if len(code) != PAIRING_LENGTH:
        raise KioskProblem(422, "wrong_code")
    kiosk = db.session.execute(
        select(Kiosk)
        .where(Kiosk.pairing_hash.in_(_keyed_hashes(b"pairing", code)))
        .with_for_update()
    ).scalar_one_or_none()
    if kiosk is None:
        raise KioskProblem(422, "wrong_code")
    if kiosk.revoked:
        raise KioskProblem(410, "revoked")
    expires = kiosk.pairing_expires_at
    now = now or utcnow()
    if expires is None or _aware(expires) <= now:
        raise KioskProblem(410, "expired")
    secret = secrets.token_urlsafe(32)
    kiosk.device_hash = _keyed_hashes(b"device", secret)[0]
    kiosk.pairing_hash = None  # single use
    kiosk.pairing_expires_at = None
    kiosk.paired_on = on
    db.session.flush()
    return kiosk, secret


def _aware(moment: datetime) -> datetime:
    # SQLite gives back naive datetimes for timezone-aware columns: they were stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)


def _cookie_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(list(reversed(secret_keys())), salt="chorus-kiosk-device")


def device_cookie(kiosk: Kiosk, secret: str) -> str:
    return str(_cookie_serializer().dumps([kiosk.id.hex, secret]))


def _cookie_parts(value: str | None) -> tuple[uuid.UUID, str] | None:
    if not value:
        return None
    try:
        kiosk_hex, secret = _cookie_serializer().loads(value)
        return uuid.UUID(hex=str(kiosk_hex)), str(secret)
    except (BadSignature, ValueError, TypeError):
        return None


def kiosk_id_of_request() -> uuid.UUID | None:
    """The kiosk this tablet's cookie names (signature checked, not the database)."""
    parts = _cookie_parts(request.cookies.get(DEVICE_COOKIE))
    return parts[0] if parts else None


def device_kiosk(value: str | None) -> Kiosk:
    """The kiosk this tablet is paired as; KioskProblem "unpaired" or "revoked" if none."""
    parts = _cookie_parts(value)
    if parts is None:
        raise KioskProblem(403, "unpaired")
    kiosk = db.session.get(Kiosk, parts[0])
    if kiosk is None or kiosk.device_hash is None:
        raise KioskProblem(403, "unpaired")
    if not any(
        hmac.compare_digest(kiosk.device_hash, h) for h in _keyed_hashes(b"device", parts[1])
    ):
        raise KioskProblem(403, "unpaired")
    if kiosk.revoked:
        raise KioskProblem(410, "revoked")
    return kiosk


def link_of(kiosk: Kiosk) -> OpenLink:
    link = db.session.get(OpenLink, kiosk.open_link_id)
    assert link is not None  # a foreign key
    return link


# -- per-kiosk rules ------------------------------------------------------------------------------


def _config(name: str, default: object) -> object:
    return current_app.config.get(name, default) if has_app_context() else default


def send_rate_limit() -> str:
    return str(_config("KIOSK_SEND_RATE_LIMIT", SEND_RATE_LIMIT))


def grant_rate_limit() -> str:
    return str(_config("KIOSK_GRANT_RATE_LIMIT", GRANT_RATE_LIMIT))


def grant_pool() -> int:
    return int(str(_config("KIOSK_GRANT_POOL", GRANT_POOL)))


def limit_key() -> str:
    """Flask-Limiter key: the kiosk's id (its cookie's signature checked), never an address."""
    kiosk_id = kiosk_id_of_request()
    return f"kiosk-{kiosk_id.hex}" if kiosk_id else "kiosk-none"


def is_kiosk() -> bool:
    """`exempt_when` for the per-address limits: a kiosk has its own (several kiosks may share a
    venue's connection)."""
    return kiosk_id_of_request() is not None


def not_kiosk() -> bool:
    """`exempt_when` for the kiosk's own limits: requests from other devices."""
    return kiosk_id_of_request() is None


def minimum_seconds(question_count: int) -> float:
    per_question = float(str(_config("KIOSK_MIN_SECONDS_PER_QUESTION", SECONDS_PER_QUESTION)))
    return min(MAX_MINIMUM_SECONDS, per_question * max(1, question_count))


def _start_signer() -> TimestampSigner:
    return TimestampSigner(list(reversed(secret_keys())), salt="chorus-kiosk-start")


def start_stamp(questionnaire_id: uuid.UUID) -> str:
    """A signed "this person started at" value, kept in the tablet's session (never stored)."""
    return _start_signer().sign(questionnaire_id.hex).decode()


def too_quick(stamp: object, questionnaire_id: uuid.UUID, question_count: int) -> bool:
    if not isinstance(stamp, str):
        return True
    try:
        value, signed_at = _start_signer().unsign(stamp, return_timestamp=True)
    except (BadSignature, UnicodeError, ValueError):
        return True
    if value.decode() != questionnaire_id.hex:
        return True
    return time.time() - signed_at.timestamp() < minimum_seconds(question_count)


# -- grants for working offline ---------------------------------------------------------------


GRANT_CLAIM = "k"  # the kiosk's id (hex) in a grant's payload


def issue_kiosk_grant(kiosk: Kiosk, questionnaire_id: uuid.UUID, on: date) -> tuple[str, str]:
    """One grant (and its submission id, hex) for an answer this kiosk takes offline."""
    from app.services.offline import issue_grant

    submission_id = uuid.uuid4()
    grant = issue_grant(
        questionnaire_id=questionnaire_id,
        round_id=kiosk.round_id,
        submission_id=submission_id,
        channel=Channel.KIOSK,
        on=on,
        extra={GRANT_CLAIM: kiosk.id.hex},
    )
    return grant, submission_id.hex


def queued_refusal(grant: Grant) -> Answer | None:
    """For the queued endpoint (app/services/offline/queued.py): None if this kiosk grant may
    be stored, else the refusal the tablet shows."""
    from app.services.offline.queued import Answer

    why = grant_refusal(grant.round_id, grant.extra.get(GRANT_CLAIM), grant.day)
    if why is None:
        return None
    return Answer(
        403,
        "kiosk_revoked",
        N_(
            "These answers were taken on a kiosk after it was switched off, so they were not saved."
        ),
    )


def grant_refusal(round_id: uuid.UUID, kiosk_hex: object, grant_day: date) -> str | None:
    """Why a kiosk grant is no good ("unknown_kiosk", "revoked"), or None if it is.

    Accepted when the kiosk is of the grant's round and either not revoked, or revoked on or
    after the grant's day: the server issues no grant to a revoked kiosk, so such a grant was
    issued, and its answers begun, before the revocation.
    """
    try:
        kiosk_id = uuid.UUID(hex=str(kiosk_hex))
    except ValueError:
        return "unknown_kiosk"
    kiosk = db.session.get(Kiosk, kiosk_id)
    if kiosk is None or kiosk.round_id != round_id:
        return "unknown_kiosk"
    if kiosk.revoked_on is not None and grant_day > kiosk.revoked_on:
        return "revoked"
    return None
