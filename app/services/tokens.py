"""Invitation tokens, derived and never stored (DESIGN.md section 6.2).

token = HMAC(SECRET_KEY, "invitation:" + invitation uuid); the database keeps sha256(token).
Drafts for "save and continue later" are found by a second HMAC of the token and encrypted with
a key derived from it, so a copy of the database opens neither without the link.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import uuid

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def _hmac(secret: str, label: str, value: bytes) -> bytes:
    return hmac.new(secret.encode(), label.encode() + b":" + value, hashlib.sha256).digest()


def derive_token(secret: str, invitation_id: uuid.UUID) -> str:
    """The URL-safe token for an invitation (43 characters)."""
    digest = _hmac(secret, "invitation", invitation_id.bytes)
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def token_hash(token: str) -> str:
    """What the database stores: sha256 of the token, hex."""
    return hashlib.sha256(token.encode()).hexdigest()


def draft_lookup(secret: str, token: str) -> str:
    return _hmac(secret, "draft-lookup", token.encode()).hex()


def _draft_cipher(secret: str, token: str) -> AESGCM:
    # AES-GCM rather than Fernet: Fernet writes its creation time in clear into every draft.
    return AESGCM(_hmac(secret, "draft-key", token.encode()))


_NONCE = 12


def encrypt_draft(secret: str, token: str, plaintext: bytes) -> bytes:
    nonce = os.urandom(_NONCE)
    return nonce + _draft_cipher(secret, token).encrypt(nonce, plaintext, b"chorus-draft")


def decrypt_draft(secret: str, token: str, ciphertext: bytes) -> bytes | None:
    """The draft, or None if it cannot be opened with this token."""
    if len(ciphertext) <= _NONCE:
        return None
    nonce, body = ciphertext[:_NONCE], ciphertext[_NONCE:]
    try:
        return _draft_cipher(secret, token).decrypt(nonce, body, b"chorus-draft")
    except InvalidTag:
        return None
