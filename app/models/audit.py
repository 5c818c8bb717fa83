"""The audit trail: an append-only record of staff actions (issue 16).

It never records anything about respondents beyond counts (DESIGN.md section 6): no invitation,
token, response or per-person reminder, and no contact's email address (retention erases those,
and this log is kept).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String, Text, Uuid, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.extensions import Model
from app.models.base import UUIDPrimaryKey, utcnow


class AuditEntry(UUIDPrimaryKey, Model):
    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_organisation_at", "organisation_id", "at"),
        Index("ix_audit_entry_round_at", "round_id", "at"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE")
    )
    # No foreign key: the entry outlives the round ("round deleted" is itself an entry).
    round_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    round_name: Mapped[str] = mapped_column(String(200), default="")
    actor_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # Kept as written, so the log still says who after an account is deactivated or removed;
    # "Chorus" for the worker's own jobs (retention, scheduled reminders).
    actor_name: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(40), default="")
    object_id: Mapped[str] = mapped_column(String(64), default="")
    summary: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuditIsAppendOnly(Exception):
    pass


@event.listens_for(Session, "before_flush")
def _append_only(session: Session, _context: object, _instances: object) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuditEntry) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditIsAppendOnly("audit entries are never changed or deleted")
