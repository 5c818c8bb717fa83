"""Assessments: the Self-Assessment Team's agreed ratings, evidence and actions (read only).

Members' own ratings are not part of the API: only what the team agreed.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import select

from app.api.auth import ApiCall
from app.api.blueprint import bp
from app.api.problems import ApiProblem
from app.api.registry import operation
from app.api.schemas import ApiModel, Moment
from app.extensions import db
from app.models import ApiPermission, Assessment, EvidenceItem, JudgementScope
from app.services.assessment.actions import actions_of
from app.services.assessment.evidence import evidence_for
from app.services.assessment.external import DISCUSSION_KIND, SURVEY_KIND
from app.services.assessment.imports import PAYLOAD_KIND as ROUND_KIND
from app.services.assessment.judgements import judgements_of


class AssessmentSummary(ApiModel):
    id: uuid.UUID
    title: str
    framework_id: str
    indicator_ids: list[str]
    created_at: Moment


class AssessmentList(ApiModel):
    assessments: list[AssessmentSummary]


class JudgementOut(ApiModel):
    target_id: str  # an indicator id, or a section id
    agreed_rating: str | None  # indicators only; null until agreed
    strengths: str
    areas_for_improvement: str
    thread_tags: list[str]
    updated_at: Moment


EvidenceKind = Literal["team_entry", "chorus_round", "external_survey", "discussion"]


class EvidenceProvenance(ApiModel):
    """Where an imported item came from, frozen when it was imported."""

    name: str = Field(
        description="The Chorus round's name, the external survey's name as its file gave it, "
        "or the discussion's title (empty when it had none)."
    )
    file_name: str | None = Field(
        description="External surveys only: the name of the file imported; otherwise null."
    )
    checksum: str | None = Field(
        description="External surveys only: the SHA-256 of the file imported, as 64 lowercase "
        "hexadecimal digits; otherwise null.",
        pattern="^[0-9a-f]{64}$",
    )
    imported_at: str | None = Field(
        description="When the item was imported or the discussion recorded (ISO 8601), if known."
    )


class EvidenceOut(ApiModel):
    id: uuid.UUID
    indicator_id: str
    source_type: str
    description: str
    evidence_date: date | None
    location: str
    imported_round_id: uuid.UUID | None
    kind: EvidenceKind = Field(
        description="team_entry: typed by the team. chorus_round: a Chorus round's frozen "
        "results. external_survey: aggregated results of a survey run elsewhere, imported "
        "from a file (figures per statement, never pooled; not a Chorus round). discussion: "
        "a focus group or discussion recorded by the team."
    )
    external: bool = Field(
        description="True for evidence from outside Chorus's own rounds and entries "
        "(external_survey and discussion); a client must not present it as Chorus's results."
    )
    counted_as_stakeholders_views: bool = Field(
        description="False only for a discussion of fewer people than the assessment's "
        "threshold: kept on record, not counted as stakeholders' views."
    )
    provenance: EvidenceProvenance | None = Field(
        description="Null for items the team typed; otherwise where the item came from."
    )


class ActionOut(ApiModel):
    id: uuid.UUID
    title: str
    owner: str
    due_on: date | None
    status: str
    indicator_ids: list[str]
    area_for_improvement: str


class AssessmentOut(AssessmentSummary):
    indicators: list[JudgementOut]
    sections: list[JudgementOut]
    evidence: list[EvidenceOut]
    actions: list[ActionOut]


def _provenance(kind: EvidenceKind, payload: dict[str, Any]) -> EvidenceProvenance | None:
    if kind == "chorus_round":
        return EvidenceProvenance(
            name=str(payload["round"]["name"]),
            file_name=None,
            checksum=None,
            imported_at=payload.get("imported_at") or payload.get("imported_on"),
        )
    if kind == "external_survey":
        source = payload["source"]
        return EvidenceProvenance(
            name=str(source["survey"]),
            file_name=str(source["file_name"]),
            checksum=str(source["sha256"]),
            imported_at=payload.get("imported_at"),
        )
    if kind == "discussion":
        return EvidenceProvenance(
            name=str(payload.get("title") or ""),
            file_name=None,
            checksum=None,
            imported_at=payload.get("recorded_on"),
        )
    return None


def _evidence(e: EvidenceItem) -> EvidenceOut:
    payload = e.payload or {}
    kinds: dict[str, EvidenceKind] = {
        ROUND_KIND: "chorus_round",
        SURVEY_KIND: "external_survey",
        DISCUSSION_KIND: "discussion",
    }
    kind: EvidenceKind = kinds.get(str(payload.get("kind")), "team_entry")
    if kind == "team_entry" and e.imported_round_id is not None:
        kind = "chorus_round"
    return EvidenceOut(
        id=e.id,
        indicator_id=e.indicator_id,
        source_type=e.source_type.value,
        description=e.description,
        evidence_date=e.evidence_date,
        location=e.location,
        imported_round_id=e.imported_round_id,
        kind=kind,
        external=kind in ("external_survey", "discussion"),
        counted_as_stakeholders_views=not (kind == "discussion" and not payload.get("counted")),
        provenance=_provenance(kind, payload) if payload else None,
    )


def _summary(a: Assessment) -> AssessmentSummary:
    return AssessmentSummary(
        id=a.id,
        title=a.title,
        framework_id=a.framework_id,
        indicator_ids=list(a.indicator_ids),
        created_at=a.created_at,
    )


@operation(
    bp,
    "GET",
    "/assessments",
    name="list_assessments",
    summary="List the organisation's self-assessments",
    tag="Assessments",
    scope=ApiPermission.READ_RESULTS,
    response=AssessmentList,
)
def list_assessments(call: ApiCall, _body: None) -> BaseModel:
    rows = db.session.execute(
        select(Assessment)
        .where(Assessment.organisation_id == call.org_id)
        .order_by(Assessment.created_at.desc(), Assessment.id)
    ).scalars()
    found = [_summary(a) for a in rows]
    call.details["assessments"] = len(found)
    return AssessmentList(assessments=found)


@operation(
    bp,
    "GET",
    "/assessments/<uuid:assessment_id>",
    name="get_assessment",
    summary="Read an assessment's agreed ratings, strengths, evidence and actions",
    tag="Assessments",
    scope=ApiPermission.READ_RESULTS,
    response=AssessmentOut,
)
def read_assessment(call: ApiCall, _body: None, assessment_id: uuid.UUID) -> BaseModel:
    assessment = db.session.execute(
        select(Assessment).where(
            Assessment.id == assessment_id, Assessment.organisation_id == call.org_id
        )
    ).scalar_one_or_none()
    if assessment is None:
        raise ApiProblem(404, "There is no assessment with this id.")
    call.object_type, call.object_id = "assessment", str(assessment.id)
    judgements = judgements_of(assessment)

    def judged(scope: JudgementScope) -> list[JudgementOut]:
        return [
            JudgementOut(
                target_id=j.target_id,
                agreed_rating=j.agreed_rating if scope == JudgementScope.INDICATOR else None,
                strengths=j.strengths,
                areas_for_improvement=j.areas_for_improvement,
                thread_tags=list(j.thread_tags or []),
                updated_at=j.updated_at,
            )
            for (s, _), j in sorted(judgements.items(), key=lambda pair: pair[0][1])
            if s == scope
        ]

    return AssessmentOut(
        **_summary(assessment).model_dump(),
        indicators=judged(JudgementScope.INDICATOR),
        sections=judged(JudgementScope.SECTION),
        evidence=[_evidence(e) for e in evidence_for(assessment)],
        actions=[
            ActionOut(
                id=a.id,
                title=a.title,
                owner=a.owner,
                due_on=a.due_on,
                status=a.status.value,
                indicator_ids=list(a.indicator_ids),
                area_for_improvement=a.area_for_improvement,
            )
            for a in actions_of(assessment)
        ],
    )
