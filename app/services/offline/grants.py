"""Grants: a signed, single-use permission to submit one questionnaire from a device (issue 18).

A questionnaire page loaded online carries a grant; a submission queued on the device while
offline carries it back. What it proves is what the server cannot otherwise know without
storing a time: that the device was allowed to answer, and that it was allowed before the
round closed. So a grant holds the day it was issued (the day only, never a time), the
questionnaire, the round, the submission id and, for an invitation, a binding only the server
can open. It never holds the token.

    grant = "g1." + b64url(payload JSON) + "." + b64url(HMAC-SHA256(key, "g1." + b64url(payload)))

Single use: the grant's id IS the browser's submission id (Progress.submission_id), whose keyed
hash `spent_submission` keeps once it is stored (app/services/submission.py); so a replay by
either path, the form or the queue, answers "already received", and nothing else about the
grant is kept. Keys come from SECRET_KEY with HKDF, and SECRET_KEY_FALLBACKS still verify.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import uuid
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.models import Channel
from app.services.keys import secret_keys

VERSION = "g1"
SIGN_INFO = b"chorus offline grant"
BIND_INFO = b"chorus grant binding"
MAX_GRANT_CHARS = 1000  # a grant is ~300 characters; anything far longer is not one
_NONCE = 12


class GrantError(ValueError):
    """The grant cannot be read or was not made by this server (tampered, truncated, forged)."""


@dataclass(frozen=True)
class Grant:
    questionnaire_id: uuid.UUID
    round_id: uuid.UUID
    submission_id: uuid.UUID
    day: date  # the day it was issued: the only time a grant knows
    channel: Channel
    invitation_hash: str | None = None  # sha256(token) of the invitation, opened from `b`
    extra: dict[str, Any] = field(default_factory=dict)  # other keys (the kiosk half's own)


@lru_cache(maxsize=16)
def _derive(secret: str, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret.encode())


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _aad(questionnaire_id: uuid.UUID, submission_id: uuid.UUID) -> bytes:
    return VERSION.encode() + questionnaire_id.bytes + submission_id.bytes


def _sign(secret: str, signed_part: str) -> bytes:
    return hmac.new(_derive(secret, SIGN_INFO), signed_part.encode(), hashlib.sha256).digest()


def issue_grant(
    *,
    questionnaire_id: uuid.UUID,
    round_id: uuid.UUID,
    submission_id: uuid.UUID,
    channel: Channel,
    on: date,
    invitation_hash: str | None = None,
    extra: dict[str, Any] | None = None,
) -> str:
    """A grant for this questionnaire and submission id, issued today (the day only)."""
    payload: dict[str, Any] = dict(extra or {})
    payload.update(
        q=questionnaire_id.hex,
        r=round_id.hex,
        s=submission_id.hex,
        d=on.isoformat(),
        c=channel.value,
    )
    secret = secret_keys()[0]
    if invitation_hash is not None:
        nonce = os.urandom(_NONCE)
        cipher = AESGCM(_derive(secret, BIND_INFO))
        sealed = cipher.encrypt(
            nonce, bytes.fromhex(invitation_hash), _aad(questionnaire_id, submission_id)
        )
        payload["b"] = _b64(nonce + sealed)
    body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
    signed_part = f"{VERSION}.{body}"
    return f"{signed_part}.{_b64(_sign(secret, signed_part))}"


def _open_binding(text: object, questionnaire_id: uuid.UUID, submission_id: uuid.UUID) -> str:
    if not isinstance(text, str):
        raise GrantError("binding")
    try:
        raw = _unb64(text)
    except (binascii.Error, ValueError):
        raise GrantError("binding") from None
    nonce, body = raw[:_NONCE], raw[_NONCE:]
    for secret in secret_keys():
        try:
            plain = AESGCM(_derive(secret, BIND_INFO)).decrypt(
                nonce, body, _aad(questionnaire_id, submission_id)
            )
        except (InvalidTag, ValueError):
            continue
        return plain.hex()
    raise GrantError("binding")


def read_grant(text: object) -> Grant:
    """The grant, checked to be this server's; GrantError if it is not (nothing else checked:
    whether the round still takes it is the caller's question, asked of the round itself)."""
    if not isinstance(text, str) or len(text) > MAX_GRANT_CHARS or text.count(".") != 2:
        raise GrantError("format")
    version, body, signature = text.split(".")
    if version != VERSION:
        raise GrantError("version")
    try:
        given = _unb64(signature)
    except (binascii.Error, ValueError):
        raise GrantError("signature") from None
    signed_part = f"{version}.{body}"
    if not any(hmac.compare_digest(given, _sign(k, signed_part)) for k in secret_keys()):
        raise GrantError("signature")
    try:
        payload = json.loads(_unb64(body))
        questionnaire_id = uuid.UUID(hex=payload.pop("q"))
        round_id = uuid.UUID(hex=payload.pop("r"))
        submission_id = uuid.UUID(hex=payload.pop("s"))
        day = date.fromisoformat(payload.pop("d"))
        channel = Channel(payload.pop("c"))
    except (binascii.Error, ValueError, KeyError, TypeError, AttributeError):
        raise GrantError("payload") from None  # signed by us, so only a bug gets here
    binding = payload.pop("b", None)
    invitation_hash = (
        _open_binding(binding, questionnaire_id, submission_id) if binding is not None else None
    )
    if channel == Channel.EMAIL and invitation_hash is None:
        raise GrantError("binding")
    return Grant(
        questionnaire_id=questionnaire_id,
        round_id=round_id,
        submission_id=submission_id,
        day=day,
        channel=channel,
        invitation_hash=invitation_hash,
        extra=payload,
    )
