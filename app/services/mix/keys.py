"""Keys of the mix, derived from SECRET_KEY with HKDF; old keys still open what they sealed.

Two keys, each under its own label: one seals submissions in the inbox (AES-GCM), one hashes
spent submission ids (HMAC). `SECRET_KEY_FALLBACKS` (Flask 3.1) lists earlier keys: a sealed
submission or a spent id made under one of them still opens or matches after a rotation.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import uuid
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

SEAL_INFO = b"chorus sealed inbox"
SPENT_INFO = b"chorus spent submission"
_NONCE = 12


def secrets() -> list[str]:
    """The current SECRET_KEY first, then the fallbacks, newest first as configured."""
    config = current_app.config
    fallbacks = config.get("SECRET_KEY_FALLBACKS") or []
    return [str(config["SECRET_KEY"]), *(str(k) for k in fallbacks if k)]


@lru_cache(maxsize=16)
def _derive(secret: str, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret.encode())


def _aad(round_id: uuid.UUID, audience: str) -> bytes:
    # Binds a ciphertext to its row: moved to another round or audience it no longer opens.
    return SEAL_INFO + b"\0" + round_id.bytes + audience.encode()


def seal(round_id: uuid.UUID, audience: str, plaintext: bytes) -> bytes:
    nonce = os.urandom(_NONCE)
    cipher = AESGCM(_derive(secrets()[0], SEAL_INFO))
    return nonce + cipher.encrypt(nonce, plaintext, _aad(round_id, audience))


class Openers:
    """Opens sealed submissions under the current key or any fallback (ciphers built once)."""

    def __init__(self, keys: list[str]):
        self._ciphers = [AESGCM(_derive(k, SEAL_INFO)) for k in keys]

    def open(self, round_id: uuid.UUID, audience: str, sealed: bytes) -> bytes | None:
        nonce, body = sealed[:_NONCE], sealed[_NONCE:]
        aad = _aad(round_id, audience)
        for cipher in self._ciphers:
            try:
                return cipher.decrypt(nonce, body, aad)
            except InvalidTag:
                continue
        return None


def spent_digest(secret: str, round_id: uuid.UUID, submission_id: uuid.UUID) -> str:
    """The keyed hash kept of a spent submission id under one key."""
    message = round_id.bytes + submission_id.bytes
    return hmac.new(_derive(secret, SPENT_INFO), message, hashlib.sha256).hexdigest()


def spent_digests(round_id: uuid.UUID, submission_id: uuid.UUID) -> list[str]:
    """The keyed hash of a submission id under every key; the first is the one to store."""
    return [spent_digest(k, round_id, submission_id) for k in secrets()]


def current_spent_digest(round_id: uuid.UUID, submission_id: uuid.UUID) -> str:
    """The keyed hash to store for a spent submission id (the current key's)."""
    return spent_digest(secrets()[0], round_id, submission_id)


def has_old_keys() -> bool:
    """Earlier keys are configured: a spent id may be kept under one of them."""
    return len(secrets()) > 1
