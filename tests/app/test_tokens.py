"""Token derivation and draft encryption (DESIGN.md sections 6.2 and 6.4)."""

from __future__ import annotations

import uuid

from app.services.tokens import (
    decrypt_draft,
    derive_token,
    draft_lookup,
    encrypt_draft,
    token_hash,
)


def test_tokens_are_derived_per_invitation_and_key() -> None:
    inv = uuid.uuid4()
    assert derive_token("k1", inv) == derive_token("k1", inv)
    assert derive_token("k1", inv) != derive_token("k2", inv)
    assert derive_token("k1", inv) != derive_token("k1", uuid.uuid4())
    assert len(derive_token("k1", inv)) >= 40


def test_stored_hash_is_not_the_token_nor_the_draft_lookup() -> None:
    token = derive_token("k", uuid.uuid4())
    assert token_hash(token) != token
    assert draft_lookup("k", token) != token_hash(token)


def test_drafts_open_only_with_the_same_link_and_key() -> None:
    token = derive_token("k", uuid.uuid4())
    sealed = encrypt_draft("k", token, b'{"answers": 1}')
    assert b"answers" not in sealed
    assert decrypt_draft("k", token, sealed) == b'{"answers": 1}'
    assert decrypt_draft("k", derive_token("k", uuid.uuid4()), sealed) is None
    assert decrypt_draft("other", token, sealed) is None
    assert decrypt_draft("k", token, sealed[:-1] + bytes([sealed[-1] ^ 1])) is None
    assert decrypt_draft("k", token, b"short") is None


def test_two_encryptions_differ_and_carry_no_clear_timestamp() -> None:
    token = derive_token("k", uuid.uuid4())
    first, second = encrypt_draft("k", token, b"x"), encrypt_draft("k", token, b"x")
    assert first != second  # random nonce
    assert len(first) == 12 + 1 + 16  # nonce + body + tag: no room for a time stamp
