"""Feedback rounds and their questionnaires (DESIGN.md section 2)."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.models.base import Timestamped, UUIDPrimaryKey, str_enum
from surveys.questionnaire import round_audiences


class RoundStatus(enum.StrEnum):
    DRAFT = "draft"
    LIVE = "live"
    CLOSED = "closed"


class ItemOrigin(enum.StrEnum):
    BANK = "bank"  # exactly as in the framework's item bank
    EDITED = "edited"  # a bank item reworded by the coordinator
    CUSTOM = "custom"  # added by the coordinator


class FeedbackRound(UUIDPrimaryKey, Timestamped, Model):
    __tablename__ = "feedback_round"

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    framework_id: Mapped[str] = mapped_column(String(64))
    # CSIT scoping terms: organisation, partners, services, customers, outcomes (free text).
    scope: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    threshold: Mapped[int] = mapped_column(Integer, default=5)
    audiences: Mapped[list[str]] = mapped_column(JSON, default=list)
    indicator_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Age bands children and young people are asked in (surveys.questionnaire.CHILDREN_BANDS,
    # each a group of its own), or one legacy band from before age bands (migration 0099).
    children_bands: Mapped[list[str]] = mapped_column(
        JSON, default=lambda: ["under_8", "8_to_12", "13_plus"]
    )
    free_text: Mapped[bool] = mapped_column(Boolean, default=True)
    role_question: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[RoundStatus] = mapped_column(
        str_enum(RoundStatus, "round_status"), default=RoundStatus.DRAFT
    )
    launched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    results_shared_on: Mapped[date | None] = mapped_column(Date)  # told to respondents
    copied_from_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("feedback_round.id", ondelete="SET NULL")
    )
    # Reminder settings: days before close to remind automatically, and the minimum gap.
    reminder_days_before_close: Mapped[list[int]] = mapped_column(JSON, default=list)
    reminder_min_gap_days: Mapped[int] = mapped_column(Integer, default=3)
    # Days after the close during which answers made offline before it are still taken (issue 18).
    grace_days: Mapped[int] = mapped_column(Integer, default=3, server_default="3")
    # A closed round put away: out of the main list, kept until deleted (issue 16).
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The coordinator's own opening paragraph for invitations and reminders (None: Chorus's).
    # Mail is rendered at send time, so a change reaches every message not yet sent.
    invitation_intro: Mapped[str | None] = mapped_column(Text)
    reminder_intro: Mapped[str | None] = mapped_column(Text)
    # Retention: a round may keep its contacts longer than the organisation's setting (a
    # "you said, we did" update), never shorter; erased_at says the retention job has run.
    retain_until: Mapped[date | None] = mapped_column(Date)
    contacts_erased_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The interface languages respondents may choose (app/i18n.py codes); the first is the default.
    languages: Mapped[list[str]] = mapped_column(JSON, default=lambda: ["en"])
    # Adult audiences asked in easy-read English (surveys.questionnaire.EASY_READ_AUDIENCES).
    easy_read_audiences: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Audiences the round defines itself (surveys.audiences.CustomAudience.to_dict), each also
    # listed in `audiences` by its id ("c-elected-members"), with its statements per indicator.
    custom_audiences: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

    questionnaires: Mapped[list[Questionnaire]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="Questionnaire.audience"
    )

    @property
    def is_draft(self) -> bool:
        return self.status == RoundStatus.DRAFT

    @property
    def groups(self) -> list[str]:
        """The groups the round asks, in order: its audiences, children as their age bands
        (each a questionnaire, an open link, a release and a results group of its own)."""
        return round_audiences(self.audiences or (), self.children_bands or ())


class Questionnaire(UUIDPrimaryKey, Model):
    """One audience's questionnaire in one round; frozen at launch."""

    __tablename__ = "questionnaire"
    __table_args__ = (UniqueConstraint("round_id", "audience", name="uq_questionnaire_audience"),)

    round_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("feedback_round.id", ondelete="CASCADE"), index=True
    )
    audience: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer, default=1)
    frozen: Mapped[bool] = mapped_column(Boolean, default=False)
    intro: Mapped[str] = mapped_column(Text, default="")
    easy_read: Mapped[bool] = mapped_column(Boolean, default=False)
    one_question_per_page: Mapped[bool] = mapped_column(Boolean, default=False)
    # [{"id", "title", "free_text"}] in order; items carry their section id.
    sections: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # The questionnaire's own words in other languages, frozen with it at launch:
    # {code: {"intro": str, "sections": {section id: title}, "items": {item uuid: statement}}}.
    translations: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    role_question: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    round: Mapped[FeedbackRound] = relationship(back_populates="questionnaires")
    items: Mapped[list[QuestionItem]] = relationship(
        back_populates="questionnaire",
        cascade="all, delete-orphan",
        order_by="QuestionItem.position",
    )


class QuestionItem(UUIDPrimaryKey, Model):
    __tablename__ = "question_item"

    questionnaire_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("questionnaire.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    section_id: Mapped[str] = mapped_column(String(40))
    indicator_id: Mapped[str] = mapped_column(String(40))
    theme_id: Mapped[str | None] = mapped_column(String(40))
    statement: Mapped[str] = mapped_column(String(300))
    scale_id: Mapped[str] = mapped_column(String(20))
    origin: Mapped[ItemOrigin] = mapped_column(
        str_enum(ItemOrigin, "item_origin"), default=ItemOrigin.BANK
    )
    bank_key: Mapped[str | None] = mapped_column(String(120))  # e.g. "2.1/parents/1"
    bank_statement: Mapped[str | None] = mapped_column(String(300))  # wording before edits

    questionnaire: Mapped[Questionnaire] = relationship(back_populates="items")


class Contact(UUIDPrimaryKey, Model):
    """An address to invite, per audience; becomes an Invitation at launch."""

    __tablename__ = "contact"
    __table_args__ = (UniqueConstraint("round_id", "email", name="uq_contact_round_email"),)

    round_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("feedback_round.id", ondelete="CASCADE"), index=True
    )
    audience: Mapped[str] = mapped_column(String(40))
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str] = mapped_column(String(200), default="")  # greeting only
    language: Mapped[str | None] = mapped_column(String(8))  # preferred: the invitation's language


class AddressBookEntry(UUIDPrimaryKey, Timestamped, Model):
    """A person in an organisation's address book, in a named group, reusable in any round."""

    __tablename__ = "address_book_entry"
    __table_args__ = (
        UniqueConstraint(
            "organisation_id", "group_name", "email", name="uq_address_book_group_email"
        ),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str] = mapped_column(String(200), default="")
    audience: Mapped[str] = mapped_column(String(40))
    group_name: Mapped[str] = mapped_column(String(100))


class OpenLink(UUIDPrimaryKey, Model):
    """A per-audience link or QR code for people without email."""

    __tablename__ = "open_link"
    __table_args__ = (UniqueConstraint("round_id", "audience", name="uq_open_link_audience"),)

    round_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("feedback_round.id", ondelete="CASCADE"), index=True
    )
    audience: Mapped[str] = mapped_column(String(40))
    code: Mapped[str] = mapped_column(String(24), unique=True)  # short, random, in the URL
    active: Mapped[bool] = mapped_column(Boolean, default=True)
