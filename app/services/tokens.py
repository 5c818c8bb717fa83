"""Invitation tokens, derived and never stored (DESIGN.md section 6.2).

token = HMAC(SECRET_KEY, "invitation:" + invitation uuid); the database keeps sha256(token).
Drafts for "save and continue later" are found by a second HMAC of the token and encrypted with
a key derived from it, so a copy of the database opens neither without the link.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid

from cryptography.fernet import Fernet, InvalidToken


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


def _draft_fernet(secret: str, token: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_hmac(secret, "draft-key", token.encode())))


def encrypt_draft(secret: str, token: str, plaintext: bytes) -> bytes:
    return _draft_fernet(secret, token).encrypt(plaintext)


def decrypt_draft(secret: str, token: str, ciphertext: bytes) -> bytes | None:
    """The draft, or None if it cannot be opened with this token."""
    try:
        return _draft_fernet(secret, token).decrypt(ciphertext)
    except InvalidToken:
        return None
