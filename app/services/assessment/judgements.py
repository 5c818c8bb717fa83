"""The team's agreed judgements, their history, and the whole-assessment review.

Per indicator: agreed rating, strengths, areas for improvement and red-thread tags; per section:
strengths and areas for improvement (no rating). Every change appends a JudgementChange snapshot,
so the history shows who agreed what and when. A save made from a stale page is refused rather
than silently overwriting what someone else recorded meanwhile.

The review is the HMIE key area 10 capacity-for-improvement statement with a confidence level, or
the CSIT review questions, whichever the framework calls for.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from app.extensions import db
from app.models import Assessment, Judgement, JudgementChange, JudgementScope, User
from app.services import audit
from app.services.assessment.assessments import (
    Access,
    AssessmentError,
    assessment_sections,
    tag_threads,
)
from frameworks import Framework
from frameworks.schema import Section

TEXT_MAX = 10_000
RESULTS_SECTION = "results"  # CSIT's Results section: strengths and areas, no key features

RECORD_ONLY = (
    "Only the facilitator or the scribe records the team's agreed judgements. "
    "Ask them, or ask a coordinator to change your team role."
)


# ---------------------------------------------------------------------------------------------
# Targets


def section_targets(assessment: Assessment, framework: Framework) -> list[tuple[str, str]]:
    """(id, title) of the sections that take strengths and areas for improvement."""
    targets = assessment_sections(assessment, framework)
    if framework.results_questions and RESULTS_SECTION not in {s for s, _ in targets}:
        targets.append((RESULTS_SECTION, "Results"))
    return targets


def _check_target(
    assessment: Assessment, framework: Framework, scope: JudgementScope, target_id: str
) -> None:
    if scope == JudgementScope.INDICATOR:
        if target_id not in assessment.indicator_ids:
            raise AssessmentError(
                {"target": f"{target_id} is not one of the indicators in this assessment."}
            )
    elif target_id not in {s for s, _ in section_targets(assessment, framework)}:
        raise AssessmentError(
            {"target": f"{target_id} is not one of the sections in this assessment."}
        )


# ---------------------------------------------------------------------------------------------
# Reading


def judgements_of(assessment: Assessment) -> dict[tuple[JudgementScope, str], Judgement]:
    rows = db.session.execute(
        select(Judgement).where(Judgement.assessment_id == assessment.id)
    ).scalars()
    return {(j.scope, j.target_id): j for j in rows}


def get_judgement(
    assessment: Assessment, scope: JudgementScope, target_id: str
) -> Judgement | None:
    return db.session.execute(
        select(Judgement).where(
            Judgement.assessment_id == assessment.id,
            Judgement.scope == scope,
            Judgement.target_id == target_id,
        )
    ).scalar_one_or_none()


def change_count(judgement: Judgement | None) -> int:
    if judgement is None:
        return 0
    return db.session.execute(
        select(func.count())
        .select_from(JudgementChange)
        .where(JudgementChange.judgement_id == judgement.id)
    ).scalar_one()


def history(judgement: Judgement | None) -> list[JudgementChange]:
    """Every recorded version, newest first."""
    if judgement is None:
        return []
    return list(
        db.session.execute(
            select(JudgementChange)
            .where(JudgementChange.judgement_id == judgement.id)
            .order_by(JudgementChange.created_at.desc(), JudgementChange.id)
        ).scalars()
    )


# ---------------------------------------------------------------------------------------------
# Recording


@dataclass
class JudgementInput:
    agreed_rating: str | None = None  # indicators only; None or "" = not agreed yet
    strengths: str = ""
    areas_for_improvement: str = ""
    thread_tags: list[str] = field(default_factory=list)
    based_on: int | None = None  # how many versions the editor's page showed


def _snapshot(j: Judgement) -> dict[str, Any]:
    return {
        "agreed_rating": j.agreed_rating,
        "strengths": j.strengths,
        "areas_for_improvement": j.areas_for_improvement,
        "thread_tags": list(j.thread_tags or []),
    }


def record_judgement(
    assessment: Assessment,
    framework: Framework,
    access: Access,
    scope: JudgementScope,
    target_id: str,
    data: JudgementInput,
    user_id: uuid.UUID,
) -> Judgement | None:
    """Save the agreed judgement; append a history snapshot. None when nothing changed."""
    access.require(access.can_record, RECORD_ONLY)
    _check_target(assessment, framework, scope, target_id)
    errors: dict[str, str] = {}
    if not assessment.discussion_open:
        errors["judgement"] = (
            "The facilitator has not opened the discussion yet. Agreed judgements are recorded "
            "after members have compared their individual ratings."
        )
    rating = (data.agreed_rating or "").strip() or None
    codes = [level.code for level in framework.rating_scale.levels]
    if scope == JudgementScope.SECTION and rating is not None:
        errors["agreed_rating"] = "Sections take strengths and areas for improvement, not a rating."
    elif rating is not None and rating not in codes:
        errors["agreed_rating"] = (
            f"{rating!r} is not on the {framework.rating_scale.title} scale. "
            f"Choose one of: {', '.join(codes)}."
        )
    strengths = data.strengths.strip()
    areas = data.areas_for_improvement.strip()
    for name, text in (("strengths", strengths), ("areas_for_improvement", areas)):
        if len(text) > TEXT_MAX:
            errors[name] = f"Keep this to {TEXT_MAX} characters or fewer."
    thread_ids = [t.id for t in tag_threads(framework)]
    unknown = [t for t in data.thread_tags if t not in thread_ids]
    if unknown:
        errors["thread_tags"] = "Not red threads of this framework: " + ", ".join(unknown)
    tags = [t for t in thread_ids if t in set(data.thread_tags)]  # thread order, no repeats

    judgement = get_judgement(assessment, scope, target_id)
    seen = change_count(judgement)
    if data.based_on is not None and data.based_on != seen and not errors:
        errors["judgement"] = (
            "Someone else recorded a new version of this judgement after you opened the page. "
            "Nothing was saved: check their version below, then make your change again."
        )
    if errors:
        raise AssessmentError(errors)

    if judgement is None:
        judgement = Judgement(
            assessment_id=assessment.id,
            scope=scope,
            target_id=target_id,
            strengths="",
            areas_for_improvement="",
            thread_tags=[],
        )
        db.session.add(judgement)
        before: dict[str, Any] | None = None
    else:
        before = _snapshot(judgement)
    judgement.agreed_rating = rating
    judgement.strengths = strengths
    judgement.areas_for_improvement = areas
    judgement.thread_tags = tags
    after = _snapshot(judgement)
    if after == before:
        return None
    if before is None and after == _snapshot_empty():
        db.session.expunge(judgement)  # an empty first save records nothing
        return None
    judgement.updated_by_id = user_id
    judgement.updated_at = datetime.now(UTC)
    db.session.flush()
    db.session.add(
        JudgementChange(judgement_id=judgement.id, changed_by_id=user_id, snapshot=after)
    )
    db.session.flush()
    what = "section" if scope == JudgementScope.SECTION else "indicator"
    audit.record(
        "assessment.judgement_recorded",
        f"Agreed judgement for {what} {target_id} recorded"
        + (f" ({rating})" if rating else "")
        + f" in {assessment.title}",
        organisation_id=assessment.organisation_id,
        actor=db.session.get(User, user_id),
        object_type="assessment",
        object_id=assessment.id,
        details={
            "scope": scope.value,
            "target": target_id,
            "changed": changed_fields(after, before),
        },
    )
    return judgement


def _snapshot_empty() -> dict[str, Any]:
    return {"agreed_rating": None, "strengths": "", "areas_for_improvement": "", "thread_tags": []}


def changed_fields(snapshot: dict[str, Any], previous: dict[str, Any] | None) -> list[str]:
    """Names of the fields a version changed, for the history page."""
    labels = {
        "agreed_rating": "agreed rating",
        "strengths": "strengths",
        "areas_for_improvement": "areas for improvement",
        "thread_tags": "red-thread tags",
    }
    base = previous or _snapshot_empty()
    return [label for key, label in labels.items() if snapshot.get(key) != base.get(key)]


# ---------------------------------------------------------------------------------------------
# The review: HMIE capacity for improvement, CSIT review questions

# HMIE Part 2 asks partners to state "the level of confidence they have in the evidence and
# evaluations"; the guide's example reads "a high degree of confidence", with "reservations or
# caveats" where the evidence has gaps.
CONFIDENCE_LEVELS: dict[str, str] = {
    "high": "A high degree of confidence",
    "some": "Some confidence, with reservations or caveats",
    "low": "Low confidence: important gaps in the evidence",
}


def capacity_section(framework: Framework) -> Section | None:
    """The key area that is a global, forward-looking judgement: components, no indicators
    (HMIE key area 10, "What is our capacity for improvement?")."""
    for section in framework.sections:
        if section.components and not framework.indicators_in(section.id):
            return section
    return None


def capacity_key(n: int) -> str:
    return f"capacity-{n}"


def save_review(
    assessment: Assessment,
    framework: Framework,
    access: Access,
    answers: dict[str, str],
) -> None:
    """Save the capacity statement (overall and per component, each with a confidence level)
    and the answers to the framework's review questions."""
    access.require(access.can_record, RECORD_ONLY)
    errors: dict[str, str] = {}
    review = dict(assessment.review or {})
    section = capacity_section(framework)
    if section is not None:
        statement = answers.get("capacity_statement", "").strip()
        confidence = answers.get("capacity_confidence", "").strip()
        if confidence and confidence not in CONFIDENCE_LEVELS:
            errors["capacity_confidence"] = "Choose high, some or low confidence."
        if len(statement) > TEXT_MAX:
            errors["capacity_statement"] = f"Keep this to {TEXT_MAX} characters or fewer."
        for n, _component in enumerate(section.components, start=1):
            key = capacity_key(n)
            text = answers.get(key, "").strip()
            level = answers.get(f"{key}-confidence", "").strip()
            if level and level not in CONFIDENCE_LEVELS:
                errors[f"{key}-confidence"] = "Choose high, some or low confidence."
            if len(text) > TEXT_MAX:
                errors[key] = f"Keep this to {TEXT_MAX} characters or fewer."
            review[key], review[f"{key}-confidence"] = text, level
        if not errors:
            assessment.capacity_statement = statement
            assessment.capacity_confidence = confidence
    for question in framework.review_questions:
        text = answers.get(question.id, "").strip()
        if len(text) > TEXT_MAX:
            errors[question.id] = f"Keep this to {TEXT_MAX} characters or fewer."
        review[question.id] = text
    if errors:
        raise AssessmentError(errors)
    assessment.review = review
    db.session.flush()
