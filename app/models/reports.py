"""'You said, we did' (issue 19): what a coordinator tells respondents after a round closes.

One notice per round, off until published. It holds only what the coordinator wrote and which
indicators' final figures to show: nothing about any respondent, and no address of anyone who
asked to be told (the notice is published at a public URL respondents already know; the
optional email goes to the round's invitations, through the outbox, while they are kept).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model
from app.models.base import UUIDPrimaryKey, utcnow


class RoundNotice(UUIDPrimaryKey, Model):
    __tablename__ = "round_notice"

    round_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("feedback_round.id", ondelete="CASCADE"), unique=True
    )
    heard: Mapped[str] = mapped_column(Text, default="")  # "You said": in the coordinator's words
    doing: Mapped[str] = mapped_column(Text, default="")  # "We did" / "we will do"
    indicator_ids: Mapped[list[str]] = mapped_column(JSON, default=list)  # figures to show
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The optional email to everyone invited: sent once, while the addresses are kept.
    emailed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    emailed_count: Mapped[int | None] = mapped_column(Integer)
