"""Anonymous responses (DESIGN.md section 6.1).

A response holds round, audience, channel, language, an optional group-level role and its
answers: no invitation, token, IP, user agent or time. Per-day counts live in their own table.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.models.base import UUIDPrimaryKey, str_enum


class Channel(enum.StrEnum):
    EMAIL = "email"
    OPEN_LINK = "open_link"
    PAPER = "paper"


class Response(UUIDPrimaryKey, Model):
    """One completed questionnaire. Its id is the browser's submission id (idempotent submit)."""

    __tablename__ = "response"
    __table_args__ = (Index("ix_response_round_audience", "round_id", "audience"),)

    round_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("feedback_round.id", ondelete="CASCADE"))
    audience: Mapped[str] = mapped_column(String(40))
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, "response_channel"))
    language: Mapped[str] = mapped_column(String(10), default="en")
    role: Mapped[str | None] = mapped_column(String(40))  # group-level answer, never a name

    answers: Mapped[list[Answer]] = relationship(cascade="all, delete-orphan")


class Answer(Model):
    __tablename__ = "answer"
    # Covering index for the one grouped results query (round -> item -> value counts).
    __table_args__ = (Index("ix_answer_round_item_value", "round_id", "item_id", "value"),)

    response_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("response.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("question_item.id", ondelete="CASCADE"), primary_key=True
    )
    round_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("feedback_round.id", ondelete="CASCADE"))
    value: Mapped[str] = mapped_column(String(20))


class CommentPrompt(enum.StrEnum):
    WORKS_WELL = "works_well"
    COULD_BE_BETTER = "could_be_better"


class Comment(UUIDPrimaryKey, Model):
    __tablename__ = "comment"

    round_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("feedback_round.id", ondelete="CASCADE"), index=True
    )
    response_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("response.id", ondelete="CASCADE"), index=True
    )
    section_id: Mapped[str] = mapped_column(String(40))
    prompt: Mapped[CommentPrompt] = mapped_column(str_enum(CommentPrompt, "comment_prompt"))
    text: Mapped[str] = mapped_column(Text)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)  # coordinators hide, never edit


class ResponseDayCount(Model):
    """How many responses arrived per day, kept apart from the responses themselves."""

    __tablename__ = "response_day_count"

    round_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("feedback_round.id", ondelete="CASCADE"), primary_key=True
    )
    audience: Mapped[str] = mapped_column(String(40), primary_key=True)
    channel: Mapped[str] = mapped_column(String(20), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class SavedDraft(Model):
    """'Save and continue later': answers encrypted with a key derived from the token.

    `lookup` is an HMAC of the token under a separate label, so neither the token nor its
    stored hash can find or open a draft without SECRET_KEY and the link itself.
    """

    __tablename__ = "saved_draft"

    lookup: Mapped[str] = mapped_column(String(64), primary_key=True)
    round_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("feedback_round.id", ondelete="CASCADE"), index=True
    )
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
