"""Save and continue later (invitations only): the one server-side copy of unsent answers.

The draft is encrypted under the invitation token, found by an HMAC of it, and deleted on submit
or when the round closes (DESIGN.md 6.4).

Key rotation (DESIGN.md 6.8): `secret` is the newest key. A draft saved under an older key
(SECRET_KEY_FALLBACKS) is still found and opened, and the next save writes it under the newest
key and drops the old copy; deleting removes it under every key.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import bindparam, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db
from app.models import SavedDraft
from app.services import core_sql
from app.services.keys import secret_keys
from app.services.responding.progress import Progress
from app.services.responding.shape import Shape
from app.services.tokens import decrypt_draft, draft_lookup, encrypt_draft


def insert_for_dialect() -> Any:
    """INSERT with ON CONFLICT: both SQLite and PostgreSQL have it, each under its own import."""
    postgres = db.session.get_bind().dialect.name == "postgresql"
    return postgresql.insert if postgres else sqlite.insert


def _keys(secret: str) -> list[str]:
    """`secret` first, then the app's other keys (newest first)."""
    return [secret, *(k for k in secret_keys() if k != secret)]


def save_draft(secret: str, token: str, shape: Shape, progress: Progress) -> None:
    """Store the answers encrypted under the invitation token; replaces an earlier draft."""
    old = [draft_lookup(k, token) for k in _keys(secret)[1:]]
    if old:  # a copy under a retired key would otherwise outlive this one
        db.session.execute(delete(SavedDraft).where(SavedDraft.lookup.in_(old)))
    progress.saves += 1
    plaintext = json.dumps(progress.to_payload(shape), separators=(",", ":")).encode()
    values = {
        "lookup": draft_lookup(secret, token),
        "round_id": shape.round_id,
        "ciphertext": encrypt_draft(secret, token, plaintext),
    }
    insert = insert_for_dialect()(SavedDraft).values(**values)
    db.session.execute(
        insert.on_conflict_do_update(
            index_elements=[SavedDraft.lookup], set_={"ciphertext": values["ciphertext"]}
        )
    )
    db.session.flush()


_DRAFTS = core_sql.table(SavedDraft)
# Every invitation's entry and send run these: built once, past the ORM.
_FIND = select(_DRAFTS.c.round_id, _DRAFTS.c.ciphertext).where(
    _DRAFTS.c.lookup == bindparam("lookup")
)


def load_draft(secret: str, token: str, shape: Shape) -> Progress | None:
    for key in _keys(secret):
        row = core_sql.execute(_FIND, {"lookup": draft_lookup(key, token)}).one_or_none()
        if row is None or row.round_id != shape.round_id:
            continue
        plaintext = decrypt_draft(key, token, row.ciphertext)
        if plaintext is None:
            continue
        try:
            payload = json.loads(plaintext)
        except ValueError:
            continue
        return Progress.from_payload(payload, shape)
    return None


_DELETE = delete(_DRAFTS).where(_DRAFTS.c.lookup.in_(bindparam("lookups", expanding=True)))


def delete_draft(secret: str, token: str) -> None:
    lookups = [draft_lookup(k, token) for k in _keys(secret)]
    core_sql.execute(_DELETE, {"lookups": lookups})


def discard_drafts(round_id: uuid.UUID) -> int:
    """Delete every saved draft of a round (call when it closes); returns how many."""
    result = db.session.execute(delete(SavedDraft).where(SavedDraft.round_id == round_id))
    db.session.flush()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def newer(browser: Progress | None, draft: Progress | None) -> Progress | None:
    """Which copy to carry on from: the draft only if it was saved after the browser's copy."""
    if draft is None:
        return browser
    if browser is None or draft.saves > browser.saves:
        return draft
    return browser
