"""Self-assessment: a SAT's ratings, agreed judgements, evidence and actions (issue 8)."""

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
    event,
    inspect,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.models.base import Timestamped, UUIDPrimaryKey, str_enum, utcnow


class TeamRole(enum.StrEnum):
    FACILITATOR = "facilitator"
    CRITICAL_FRIEND = "critical_friend"
    SCRIBE = "scribe"
    MEMBER = "member"


class EvidenceSourceType(enum.StrEnum):
    """HMIE's four sources of evidence (section 3.6)."""

    PERFORMANCE_DATA = "performance_data"
    DOCUMENTATION = "documentation"
    STAKEHOLDER_VIEWS = "stakeholder_views"
    DIRECT_OBSERVATION = "direct_observation"


class ActionStatus(enum.StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"


class Assessment(UUIDPrimaryKey, Timestamped, Model):
    __tablename__ = "assessment"

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    framework_id: Mapped[str] = mapped_column(String(64))
    indicator_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    scope: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    discussion_open: Mapped[bool] = mapped_column(Boolean, default=False)
    # HMIE key area 10 and the CSIT review, kept as free text the team writes.
    capacity_statement: Mapped[str] = mapped_column(Text, default="")
    capacity_confidence: Mapped[str] = mapped_column(String(20), default="")
    review: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # The anonymity threshold k for evidence brought in from elsewhere (issue 22); None means
    # the organisation's (ANONYMITY_THRESHOLD). Rounds keep their own.
    threshold: Mapped[int | None] = mapped_column(Integer)

    members: Mapped[list[TeamMember]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan"
    )


class TeamMember(UUIDPrimaryKey, Model):
    __tablename__ = "team_member"
    __table_args__ = (UniqueConstraint("assessment_id", "user_id", name="uq_team_member"),)

    assessment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    role: Mapped[TeamRole] = mapped_column(str_enum(TeamRole, "team_role"))
    submitted: Mapped[bool] = mapped_column(Boolean, default=False)  # individual ratings done

    assessment: Mapped[Assessment] = relationship(back_populates="members")


class MemberRating(UUIDPrimaryKey, Model):
    """One member's private rating of one indicator."""

    __tablename__ = "member_rating"
    __table_args__ = (
        UniqueConstraint("assessment_id", "indicator_id", "user_id", name="uq_member_rating"),
    )

    assessment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    indicator_id: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    value: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")


class JudgementScope(enum.StrEnum):
    INDICATOR = "indicator"
    SECTION = "section"


class Judgement(UUIDPrimaryKey, Model):
    """The team's agreed view of an indicator (rating) or a section (no rating)."""

    __tablename__ = "judgement"
    __table_args__ = (
        UniqueConstraint("assessment_id", "scope", "target_id", name="uq_judgement_target"),
    )

    assessment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    scope: Mapped[JudgementScope] = mapped_column(str_enum(JudgementScope, "judgement_scope"))
    target_id: Mapped[str] = mapped_column(String(40))
    agreed_rating: Mapped[str | None] = mapped_column(String(20))
    strengths: Mapped[str] = mapped_column(Text, default="")
    areas_for_improvement: Mapped[str] = mapped_column(Text, default="")
    thread_tags: Mapped[list[str]] = mapped_column(JSON, default=list)  # CSIT red threads
    updated_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class JudgementChange(UUIDPrimaryKey, Timestamped, Model):
    """Append-only history of judgement edits."""

    __tablename__ = "judgement_change"

    judgement_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("judgement.id", ondelete="CASCADE"), index=True
    )
    changed_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)


class EvidenceItem(UUIDPrimaryKey, Timestamped, Model):
    __tablename__ = "evidence_item"
    # One imported item per round and indicator, even when two people import at once. Items the
    # team types have no round (NULL), and NULLs never clash.
    __table_args__ = (
        UniqueConstraint(
            "assessment_id", "imported_round_id", "indicator_id", name="uq_evidence_import"
        ),
    )

    assessment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    indicator_id: Mapped[str] = mapped_column(String(40))
    source_type: Mapped[EvidenceSourceType] = mapped_column(
        str_enum(EvidenceSourceType, "evidence_source")
    )
    description: Mapped[str] = mapped_column(Text)
    evidence_date: Mapped[date | None] = mapped_column(Date)
    location: Mapped[str] = mapped_column(String(300), default="")
    added_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # Imported stakeholder results: immutable, with figures and provenance.
    imported_round_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("feedback_round.id", ondelete="SET NULL")
    )
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    @property
    def immutable(self) -> bool:
        return self.payload is not None


class ImmutableEvidence(RuntimeError):
    """Imported stakeholder results record what respondents said; they are never changed."""


@event.listens_for(EvidenceItem, "before_update")
def _refuse_update(mapper: Any, connection: Any, target: EvidenceItem) -> None:
    # The last line of defence behind the services' own check: no code path may rewrite one.
    history = inspect(target).attrs.payload.history
    if target.payload is not None or any(v is not None for v in history.deleted):
        raise ImmutableEvidence("imported stakeholder evidence cannot be changed")


@event.listens_for(EvidenceItem, "before_delete")
def _refuse_delete(mapper: Any, connection: Any, target: EvidenceItem) -> None:
    if target.payload is not None:
        raise ImmutableEvidence("imported stakeholder evidence cannot be deleted")


class ExternalImport(UUIDPrimaryKey, Timestamped, Model):
    """An uploaded file of a survey run elsewhere (issue 22): pending until the team confirms
    its mapping, then confirmed and never changed. `data` never holds the counts of a group
    under the threshold: they are dropped as the file is read."""

    __tablename__ = "external_import"
    # The same file (by checksum) is imported into an assessment once.
    __table_args__ = (UniqueConstraint("assessment_id", "sha256", name="uq_external_import_file"),)

    assessment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    uploaded_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    confirmed_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


@event.listens_for(ExternalImport, "before_update")
def _refuse_import_update(mapper: Any, connection: Any, target: ExternalImport) -> None:
    # Confirming (False to True) is the last change an import ever has.
    history = inspect(target).attrs.confirmed.history
    was_confirmed = True in history.deleted or (not history.has_changes() and target.confirmed)
    if was_confirmed:
        raise ImmutableEvidence("a confirmed external import cannot be changed")


@event.listens_for(ExternalImport, "before_delete")
def _refuse_import_delete(mapper: Any, connection: Any, target: ExternalImport) -> None:
    if target.confirmed:
        raise ImmutableEvidence("a confirmed external import cannot be deleted")


class ImprovementAction(UUIDPrimaryKey, Timestamped, Model):
    __tablename__ = "improvement_action"

    assessment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    owner: Mapped[str] = mapped_column(String(200), default="")
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[ActionStatus] = mapped_column(
        str_enum(ActionStatus, "action_status"), default=ActionStatus.NOT_STARTED
    )
    indicator_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    area_for_improvement: Mapped[str] = mapped_column(Text, default="")
