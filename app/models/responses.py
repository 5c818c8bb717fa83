"""Anonymous responses (DESIGN.md section 6.1) and the sealed inbox they pass through (6.3).

A response holds round, audience, channel, an optional group-level role and its answers: no
invitation, token, IP, user agent, time or language (DESIGN.md 6.1). It is written by the
release step (app/services/mix), never by the request that completes an invitation: that
request stores a SealedSubmission, which the release opens and writes out in shuffled batches.
Per-day counts live in their own table.
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
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.models.base import UUIDPrimaryKey, str_enum


class Channel(enum.StrEnum):
    EMAIL = "email"
    OPEN_LINK = "open_link"
    PAPER = "paper"
    KIOSK = "kiosk"  # a shared tablet paired to an open link (app/services/kiosks.py)


class Response(UUIDPrimaryKey, Model):
    """One completed questionnaire, as released from the inbox under a fresh random id.

    `release_batch` numbers the release it came in (per round, shared by its answers); 0 for
    responses written before the mix existed. Batch membership may be known; order within a
    batch is random.
    """

    __tablename__ = "response"
    __table_args__ = (
        Index("ix_response_round_audience_batch", "round_id", "audience", "release_batch"),
    )

    round_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("feedback_round.id", ondelete="CASCADE"))
    audience: Mapped[str] = mapped_column(String(40))
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, "response_channel"))
    role: Mapped[str | None] = mapped_column(String(40))  # group-level answer, never a name
    release_batch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    answers: Mapped[list[Answer]] = relationship(cascade="all, delete-orphan")


class Answer(Model):
    __tablename__ = "answer"
    # Covering index for the one grouped results query (round -> item -> value counts), with
    # the release batch so live views can leave the latest batch out from the index alone.
    __table_args__ = (
        Index("ix_answer_round_item_value_batch", "round_id", "item_id", "value", "release_batch"),
    )

    response_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("response.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("question_item.id", ondelete="CASCADE"), primary_key=True
    )
    round_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("feedback_round.id", ondelete="CASCADE"))
    value: Mapped[str] = mapped_column(String(20))
    release_batch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


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


class LanguageCount(Model):
    """How many responses were given in each language, per audience, written at release
    (DESIGN.md 6.1: no response row holds its language; batches of at least k are counted)."""

    __tablename__ = "language_count"

    round_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("feedback_round.id", ondelete="CASCADE"), primary_key=True
    )
    audience: Mapped[str] = mapped_column(String(40), primary_key=True)
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
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


class SealedSubmission(Model):
    """The inbox: a completed questionnaire, encrypted, waiting for the release step.

    Only round and audience are in clear (the release needs them to count batches); channel,
    role, answers and comments are inside the AES-GCM ciphertext. No time, no invitation; the
    id is random and never becomes the response's id.
    """

    __tablename__ = "sealed_submission"
    __table_args__ = (Index("ix_sealed_submission_round_audience", "round_id", "audience"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    round_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("feedback_round.id", ondelete="CASCADE"))
    audience: Mapped[str] = mapped_column(String(40))
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)


class SpentSubmission(Model):
    """Submission ids already used, as keyed hashes only: replays are recognised, and nothing
    here leads to a response (the response gets a fresh random id at release)."""

    __tablename__ = "spent_submission"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    round_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("feedback_round.id", ondelete="CASCADE"), index=True
    )


class ReleaseCounter(Model):
    """How many release batches a round has had; its row lock serialises releases of a round."""

    __tablename__ = "release_counter"

    round_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("feedback_round.id", ondelete="CASCADE"), primary_key=True
    )
    batches: Mapped[int] = mapped_column(Integer, default=0)
