"""Invitation tokens, derived and never stored (DESIGN.md section 6.2).

token = HMAC(SECRET_KEY, "invitation:" + invitation uuid); the database keeps sha256(token).
Drafts for "save and continue later" are found by a second HMAC of the token and encrypted with
a key derived from it, so a copy of the database opens neither without the link.

Key rotation (DESIGN.md 6.8): a link is found by the hash of its token, which does not depend on
the key, so an emailed link keeps working. A new email for the same invitation (a reminder) must
carry the same link, so `live_token` derives it under whichever key (newest first) made the
stored hash. Drafts are opened under any key and saved again under the newest.

The respondent's session cookie is signed, not encrypted: anyone holding the cookie can read it.
So it holds the token only sealed (`seal_token`, AES-GCM under a key derived from SECRET_KEY).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import uuid
from collections.abc import Sequence
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def _hmac(secret: str, label: str, value: bytes) -> bytes:
    return hmac.new(secret.encode(), label.encode() + b":" + value, hashlib.sha256).digest()


def derive_token(secret: str, invitation_id: uuid.UUID) -> str:
    """The URL-safe token for an invitation (43 characters)."""
    digest = _hmac(secret, "invitation", invitation_id.bytes)
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def derive_link_token(secret: str, link_id: uuid.UUID) -> str:
    """The token of a staff account link (a password reset), derived from its id like an
    invitation's, so the mail worker can rebuild the link and the database holds no usable one."""
    digest = _hmac(secret, "account-link", link_id.bytes)
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


def live_token(secrets: Sequence[str], invitation_id: uuid.UUID, stored_hash: str) -> str:
    """The invitation's token under the key (newest first) that made `stored_hash`.

    With no match (the key that made it is no longer listed) the newest key's token is
    returned; it will not open the invitation, which is the honest result of a dropped key.
    """
    for secret in secrets:
        token = derive_token(secret, invitation_id)
        if hmac.compare_digest(token_hash(token), stored_hash):
            return token
    return derive_token(secrets[0], invitation_id)


@lru_cache(maxsize=16)  # a few keys (SECRET_KEY and its fallbacks); derived once each
def _session_cipher(secret: str) -> AESGCM:
    return AESGCM(_hmac(secret, "session-token", b""))


def seal_token(secret: str, token: str) -> str:
    """The token as the session cookie may hold it: encrypted, with a fresh nonce each time."""
    nonce = os.urandom(_NONCE)
    sealed = nonce + _session_cipher(secret).encrypt(nonce, token.encode(), b"chorus-session")
    return base64.urlsafe_b64encode(sealed).decode()


def open_token(secrets: Sequence[str], sealed: str) -> str | None:
    """The token from `seal_token` under any of the keys, or None."""
    try:
        raw = base64.urlsafe_b64decode(sealed.encode())
    except (ValueError, TypeError):
        return None
    if len(raw) <= _NONCE:
        return None
    nonce, body = raw[:_NONCE], raw[_NONCE:]
    for secret in secrets:
        try:
            return _session_cipher(secret).decrypt(nonce, body, b"chorus-session").decode()
        except (InvalidTag, UnicodeDecodeError):
            continue
    return None
