"""Paper questionnaire imports (issue 9): remembered so the same batch is not counted twice."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model
from app.models.base import UUIDPrimaryKey


class PaperImport(UUIDPrimaryKey, Model):
    """One uploaded batch of typed-in paper questionnaires.

    Holds no link to the responses it created (DESIGN.md 6.1), only a keyed fingerprint of the
    rows (HMAC under SECRET_KEY, so the answers cannot be guessed from it), their number and the
    day, which the per-day response counts already record.
    """

    __tablename__ = "paper_import"
    __table_args__ = (
        UniqueConstraint("round_id", "fingerprint", name="uq_paper_import_fingerprint"),
    )

    round_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("feedback_round.id", ondelete="CASCADE"), index=True
    )
    audience: Mapped[str] = mapped_column(String(40))
    fingerprint: Mapped[str] = mapped_column(String(64))
    questionnaires: Mapped[int] = mapped_column(Integer)
    imported_on: Mapped[date] = mapped_column(Date)
