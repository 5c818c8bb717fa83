"""Assessments: the Self-Assessment Team's agreed ratings, evidence and actions (read only).

Members' own ratings are not part of the API: only what the team agreed.
"""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel
from sqlalchemy import select

from app.api.auth import ApiCall
from app.api.blueprint import bp
from app.api.problems import ApiProblem
from app.api.registry import operation
from app.api.schemas import ApiModel, Moment
from app.extensions import db
from app.models import ApiPermission, Assessment, JudgementScope
from app.services.assessment.actions import actions_of
from app.services.assessment.evidence import evidence_for
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


class EvidenceOut(ApiModel):
    id: uuid.UUID
    indicator_id: str
    source_type: str
    description: str
    evidence_date: date | None
    location: str
    imported_round_id: uuid.UUID | None


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
        evidence=[
            EvidenceOut(
                id=e.id,
                indicator_id=e.indicator_id,
                source_type=e.source_type.value,
                description=e.description,
                evidence_date=e.evidence_date,
                location=e.location,
                imported_round_id=e.imported_round_id,
            )
            for e in evidence_for(assessment)
        ],
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
