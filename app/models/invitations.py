"""Invitations and the mail outbox (DESIGN.md sections 6.2, 6.3 and 8)."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model
from app.models.base import Timestamped, UUIDPrimaryKey, str_enum


class InvitationStatus(enum.StrEnum):
    PENDING = "pending"
    COMPLETED = "completed"  # set with the response insert; no completion time kept
    OPTED_OUT = "opted_out"


class DeliveryStatus(enum.StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"
    BOUNCED = "bounced"  # the mail server refused the address for good (SMTP 5xx)


class Invitation(UUIDPrimaryKey, Model):
    """A person invited to a round's audience. Shares no key, token or time with any response."""

    __tablename__ = "invitation"

    round_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("feedback_round.id", ondelete="CASCADE"), index=True
    )
    audience: Mapped[str] = mapped_column(String(40))
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str] = mapped_column(String(200), default="")
    # The contact's preferred language, for the emails only: never copied to a response.
    language: Mapped[str | None] = mapped_column(String(8))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256(token), hex
    status: Mapped[InvitationStatus] = mapped_column(
        str_enum(InvitationStatus, "invitation_status"), default=InvitationStatus.PENDING
    )
    delivery: Mapped[DeliveryStatus] = mapped_column(
        str_enum(DeliveryStatus, "delivery_status"), default=DeliveryStatus.QUEUED
    )
    # Day granularity, for "not messaged in the last N days"; never shown per person.
    last_messaged_on: Mapped[date | None] = mapped_column(Date)


class MessageKind(enum.StrEnum):
    INVITATION = "invitation"
    REMINDER = "reminder"
    YOU_SAID = "you_said"  # "you said, we did", to everyone invited (issue 19)
    PASSWORD_RESET = "password_reset"  # to staff: a "forgot password" link (account_link_id)


class MessageStatus(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"  # permanently, after the last attempt


class OutboxMessage(UUIDPrimaryKey, Timestamped, Model):
    """A message to send, written in the same transaction as what caused it.

    The body is rendered at send time: the token is derived from the invitation id then, so the
    database never holds a usable link.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    round_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("feedback_round.id", ondelete="CASCADE"), index=True
    )
    invitation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("invitation.id", ondelete="CASCADE"), index=True
    )
    # A password reset's link, whose token is derived from its id at send time, like an
    # invitation's; withdrawn with the link (a newer request deletes the older).
    account_link_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("account_link.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[MessageKind] = mapped_column(str_enum(MessageKind, "message_kind"))
    to_address: Mapped[str] = mapped_column(String(320))
    status: Mapped[MessageStatus] = mapped_column(
        str_enum(MessageStatus, "message_status"), default=MessageStatus.QUEUED
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
