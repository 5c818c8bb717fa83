"""The evidence log: items per indicator from HMIE's four sources, and their triangulation.

Items the team types can be edited and deleted by anyone who contributes to the assessment.
Items imported from a round (see `imports`) are immutable: the services refuse, and
the model refuses again at flush time, so no code path can rewrite what respondents said.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from app.dates import today as service_day
from app.extensions import db
from app.models import Assessment, EvidenceItem, EvidenceSourceType
from app.services.assessment.assessments import Access, AssessmentError, NotAllowed
from surveys.assessment import Triangulation, triangulation

DESCRIPTION_MAX = 5000
LOCATION_MAX = 300

# HMIE 3.6's names for the four sources.
SOURCE_LABELS: dict[str, str] = {
    EvidenceSourceType.PERFORMANCE_DATA.value: "Performance data",
    EvidenceSourceType.DOCUMENTATION.value: "Relevant documentation",
    EvidenceSourceType.STAKEHOLDER_VIEWS.value: "Stakeholders' views and feedback",
    EvidenceSourceType.DIRECT_OBSERVATION.value: "Direct observation of practice",
}

CONTRIBUTORS_ONLY = (
    "Only the Self-Assessment Team and coordinators can change the evidence log. "
    "Viewers can read it."
)
IMPORTED_IS_FIXED = (
    "This item was imported (from a feedback round, a survey run elsewhere or a recorded "
    "discussion). It records what people said, so it cannot be changed or deleted. Add a new "
    "evidence item to comment on it."
)


@dataclass
class EvidenceInput:
    source_type: str
    description: str
    evidence_date: str = ""  # ISO date from <input type="date">, optional
    location: str = ""


def _clean(data: EvidenceInput, today: date) -> tuple[EvidenceSourceType, str, date | None, str]:
    errors: dict[str, str] = {}
    try:
        source = EvidenceSourceType(data.source_type)
    except ValueError:
        source = EvidenceSourceType.DOCUMENTATION
        errors["source_type"] = (
            "Choose the kind of source: performance data, documentation, stakeholders' views "
            "or direct observation."
        )
    description = data.description.strip()
    if not description:
        errors["description"] = "Describe the evidence: what it is and what it shows."
    elif len(description) > DESCRIPTION_MAX:
        errors["description"] = f"Keep the description to {DESCRIPTION_MAX} characters or fewer."
    when: date | None = None
    if data.evidence_date.strip():
        try:
            when = date.fromisoformat(data.evidence_date.strip())
        except ValueError:
            errors["evidence_date"] = "Enter the date as a real date, for example 2025-03-31."
        else:
            if when > today:
                errors["evidence_date"] = "The date of the evidence cannot be in the future."
    location = " ".join(data.location.split())
    if len(location) > LOCATION_MAX:
        errors["location"] = f"Keep where it is held to {LOCATION_MAX} characters or fewer."
    if errors:
        raise AssessmentError(errors)
    return source, description, when, location


def add_evidence(
    assessment: Assessment,
    access: Access,
    indicator_id: str,
    data: EvidenceInput,
    user_id: uuid.UUID,
    today: date | None = None,
) -> EvidenceItem:
    access.require(access.can_contribute, CONTRIBUTORS_ONLY)
    if indicator_id not in assessment.indicator_ids:
        raise AssessmentError(
            {"indicator": f"{indicator_id} is not one of the indicators in this assessment."}
        )
    source, description, when, location = _clean(data, today or service_day())
    item = EvidenceItem(
        assessment_id=assessment.id,
        indicator_id=indicator_id,
        source_type=source,
        description=description,
        evidence_date=when,
        location=location,
        added_by_id=user_id,
    )
    db.session.add(item)
    db.session.flush()
    return item


def get_evidence(assessment: Assessment, evidence_id: uuid.UUID) -> EvidenceItem | None:
    return db.session.execute(
        select(EvidenceItem).where(
            EvidenceItem.id == evidence_id, EvidenceItem.assessment_id == assessment.id
        )
    ).scalar_one_or_none()


def update_evidence(
    item: EvidenceItem, access: Access, data: EvidenceInput, today: date | None = None
) -> None:
    access.require(access.can_contribute, CONTRIBUTORS_ONLY)
    if item.immutable:
        raise NotAllowed(IMPORTED_IS_FIXED)
    source, description, when, location = _clean(data, today or service_day())
    item.source_type, item.description = source, description
    item.evidence_date, item.location = when, location
    db.session.flush()


def delete_evidence(item: EvidenceItem, access: Access) -> None:
    access.require(access.can_contribute, CONTRIBUTORS_ONLY)
    if item.immutable:
        raise NotAllowed(IMPORTED_IS_FIXED)
    db.session.delete(item)
    db.session.flush()


def evidence_for(assessment: Assessment, indicator_id: str | None = None) -> list[EvidenceItem]:
    """Items newest first (for one indicator, or all)."""
    query = select(EvidenceItem).where(EvidenceItem.assessment_id == assessment.id)
    if indicator_id is not None:
        query = query.where(EvidenceItem.indicator_id == indicator_id)
    return list(
        db.session.execute(
            query.order_by(EvidenceItem.created_at.desc(), EvidenceItem.id)
        ).scalars()
    )


def triangulations(assessment: Assessment) -> dict[str, Triangulation]:
    """Every indicator of the assessment with the distinct kinds of source behind it."""
    rows = db.session.execute(
        select(EvidenceItem.indicator_id, EvidenceItem.source_type, EvidenceItem.payload).where(
            EvidenceItem.assessment_id == assessment.id
        )
    ).all()
    by_indicator: dict[str, list[str]] = {i: [] for i in assessment.indicator_ids}
    for indicator_id, source, payload in rows:
        # A discussion of fewer than k people is kept on record but is not stakeholders' views.
        if payload and payload.get("kind") == "discussion" and not payload.get("counted"):
            continue
        if indicator_id in by_indicator:
            by_indicator[indicator_id].append(EvidenceSourceType(source).value)
    return {i: triangulation(sources) for i, sources in by_indicator.items()}
