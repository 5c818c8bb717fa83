"""Recording and reading the audit trail (issue 16; DESIGN.md section 6 for what it may hold).

Every staff action that changes something calls `record` inside the same unit of work as the
change, so the entry and the change commit or roll back together. Entries are never changed or
deleted (see `app.models.audit`).

What an entry may say about respondents: counts only, and a count of people under the round's
threshold is not written at all. Never an invitation id, token, response id, a contact's email
address or anything per person; `record` refuses details that carry such keys.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, FeedbackRound, User

SYSTEM_ACTOR = "Chorus"

# Detail keys that would tie the log to a person who answered (or could be erased later).
FORBIDDEN_DETAIL_KEYS = frozenset(
    {
        "invitation_id",
        "invitation_ids",
        "token",
        "token_hash",
        "response_id",
        "response_ids",
        "email",
        "emails",
        "contact_email",
        "submission_id",
    }
)


class UnsafeAuditDetails(ValueError):
    pass


def record(
    action: str,
    summary: str,
    *,
    organisation_id: uuid.UUID,
    actor: User | None,
    round: FeedbackRound | None = None,
    object_type: str = "",
    object_id: str | uuid.UUID = "",
    details: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Add one entry to the session (the caller's unit of work commits it).

    `actor` None means Chorus itself (the worker's retention or scheduled reminders).
    """
    clean = dict(details or {})
    bad = FORBIDDEN_DETAIL_KEYS.intersection(clean)
    if bad:
        raise UnsafeAuditDetails(f"audit details may not hold {sorted(bad)}")
    entry = AuditEntry(
        organisation_id=organisation_id,
        round_id=round.id if round is not None else None,
        round_name=round.name if round is not None else "",
        actor_id=actor.id if actor is not None else None,
        actor_name=(actor.name or actor.email) if actor is not None else SYSTEM_ACTOR,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        summary=summary,
        details=clean,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


@dataclass(frozen=True)
class AuditFilter:
    round_id: uuid.UUID | None = None
    action: str | None = None
    actor_id: uuid.UUID | None = None
    since: datetime | None = None
    until: datetime | None = None


def entries(organisation_id: uuid.UUID, where: AuditFilter | None = None) -> list[AuditEntry]:
    """An organisation's entries, newest first, narrowed by `where`."""
    f = where or AuditFilter()
    query = select(AuditEntry).where(AuditEntry.organisation_id == organisation_id)
    if f.round_id is not None:
        query = query.where(AuditEntry.round_id == f.round_id)
    if f.action:
        query = query.where(AuditEntry.action == f.action)
    if f.actor_id is not None:
        query = query.where(AuditEntry.actor_id == f.actor_id)
    if f.since is not None:
        query = query.where(AuditEntry.at >= f.since)
    if f.until is not None:
        query = query.where(AuditEntry.at < f.until)
    query = query.order_by(AuditEntry.at.desc(), AuditEntry.id)
    return list(db.session.execute(query).scalars())
