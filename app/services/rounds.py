"""Rounds and their stored questionnaires: create, regenerate while a draft, freeze at launch.

Views and CLI commands call these; they flush, the caller commits once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models import (
    FeedbackRound,
    ItemOrigin,
    Organisation,
    QuestionItem,
    Questionnaire,
    RoundStatus,
)
from app.services.frameworks import UnknownFramework, get_framework
from frameworks import Framework
from surveys import questionnaire as qgen
from surveys.selection import SelectionError

MIN_THRESHOLD = 3
SCOPE_FIELDS = ("organisation", "partners", "services", "customers", "outcomes")
NAME_MAX = 200


class RoundError(ValueError):
    """Input a coordinator must fix; `errors` maps a form field to a plain message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class RoundLocked(RoundError):
    """A launched or closed round cannot change."""

    def __init__(self) -> None:
        super().__init__(
            {
                "round": "This round has been launched, so its questionnaires cannot change. "
                "Copy it into a new draft round to make changes."
            }
        )


@dataclass
class RoundSettings:
    name: str
    framework_id: str
    indicator_ids: list[str]
    audiences: list[str]
    opens_on: date | None
    closes_on: date | None
    threshold: int | None = None
    scope: dict[str, str] = field(default_factory=dict)
    children_band: str = "under_12"
    free_text: bool = True
    role_question: bool = False


def validate_settings(org_id: uuid.UUID, settings: RoundSettings) -> Framework:
    """Check everything a coordinator typed; raise RoundError naming each bad field."""
    errors: dict[str, str] = {}
    name = " ".join(settings.name.split())
    if not name:
        errors["name"] = "Enter a name for the round."
    elif len(name) > NAME_MAX:
        errors["name"] = f"The name must be {NAME_MAX} characters or fewer."
    framework: Framework | None = None
    try:
        framework = get_framework(org_id, settings.framework_id)
    except UnknownFramework:
        errors["framework_id"] = f"There is no framework called {settings.framework_id!r}."
    if framework is not None:
        known = {i.id for i in framework.indicators}
        unknown = [i for i in settings.indicator_ids if i not in known]
        if unknown:
            errors["indicator_ids"] = "Not indicators of this framework: " + ", ".join(unknown)
        elif not settings.indicator_ids:
            errors["indicator_ids"] = "Choose at least one indicator."
        bad_audiences = [a for a in settings.audiences if a not in framework.audience_ids]
        if bad_audiences:
            errors["audiences"] = "Not audiences of this framework: " + ", ".join(bad_audiences)
        elif not settings.audiences:
            errors["audiences"] = "Choose at least one audience."
    if settings.opens_on is None:
        errors["opens_on"] = "Enter the date the round opens."
    if settings.closes_on is None:
        errors["closes_on"] = "Enter the date the round closes."
    if settings.opens_on and settings.closes_on and settings.closes_on < settings.opens_on:
        errors["closes_on"] = "The closing date must be on or after the opening date."
    if settings.threshold is not None and settings.threshold < MIN_THRESHOLD:
        errors["threshold"] = (
            f"The anonymity threshold must be {MIN_THRESHOLD} or more, so nobody can be "
            "identified from small groups."
        )
    if settings.children_band not in qgen.CHILDREN_BANDS:
        errors["children_band"] = "Choose an age band for children and young people."
    if errors:
        raise RoundError(errors)
    assert framework is not None
    return framework


def create_round(org: Organisation, settings: RoundSettings) -> FeedbackRound:
    framework = validate_settings(org.id, settings)
    rnd = FeedbackRound(organisation_id=org.id)
    _apply(rnd, settings, framework)
    db.session.add(rnd)
    db.session.flush()
    generate_questionnaires(rnd, framework, org.name)
    return rnd


def update_round(rnd: FeedbackRound, org: Organisation, settings: RoundSettings) -> FeedbackRound:
    """Change a draft's settings; questionnaires are rebuilt only if what is asked changed."""
    ensure_draft(rnd)
    framework = validate_settings(org.id, settings)
    asked_before = _asked(rnd)
    _apply(rnd, settings, framework)
    if _asked(rnd) != asked_before:
        generate_questionnaires(rnd, framework, org.name)
    db.session.flush()
    return rnd


def _asked(rnd: FeedbackRound) -> tuple[Any, ...]:
    return (
        rnd.framework_id,
        tuple(rnd.indicator_ids),
        tuple(rnd.audiences),
        rnd.children_band,
        rnd.free_text,
        rnd.role_question,
    )


def _apply(rnd: FeedbackRound, s: RoundSettings, framework: Framework) -> None:
    order = {i.id: n for n, i in enumerate(framework.indicators)}
    audience_order = {a: n for n, a in enumerate(framework.audience_ids)}
    rnd.name = " ".join(s.name.split())
    rnd.framework_id = framework.id
    rnd.indicator_ids = sorted(set(s.indicator_ids), key=order.__getitem__)
    rnd.audiences = sorted(set(s.audiences), key=audience_order.__getitem__)
    rnd.opens_on = s.opens_on  # type: ignore[assignment]
    rnd.closes_on = s.closes_on  # type: ignore[assignment]
    rnd.threshold = s.threshold or current_app.config["ANONYMITY_THRESHOLD"]
    rnd.scope = {k: (s.scope.get(k) or "").strip() for k in SCOPE_FIELDS}
    rnd.children_band = s.children_band
    rnd.free_text = s.free_text
    rnd.role_question = s.role_question


def ensure_draft(rnd: FeedbackRound) -> None:
    if rnd.status != RoundStatus.DRAFT:
        raise RoundLocked()


def generate_questionnaires(
    rnd: FeedbackRound, framework: Framework, organisation_name: str
) -> dict[str, str]:
    """Replace the draft's questionnaires with freshly generated ones; return skipped reasons."""
    ensure_draft(rnd)
    try:
        result = qgen.build_questionnaires(
            framework,
            rnd.indicator_ids,
            rnd.audiences,
            organisation=organisation_name,
            children_band=rnd.children_band,
            free_text=rnd.free_text,
            role_question=rnd.role_question,
        )
    except SelectionError as exc:
        raise RoundError({"indicator_ids": str(exc)}) from None
    for old in list(rnd.questionnaires):
        rnd.questionnaires.remove(old)
    db.session.flush()
    for audience, generated in result.questionnaires.items():
        rnd.questionnaires.append(_store(audience, generated))
    db.session.flush()
    return result.skipped


def _store(audience: str, q: qgen.Questionnaire) -> Questionnaire:
    row = Questionnaire(
        audience=audience,
        intro=q.intro,
        easy_read=q.easy_read,
        one_question_per_page=q.one_question_per_page,
        sections=[{"id": s.id, "title": s.title, "free_text": s.free_text} for s in q.sections],
        role_question=q.role_question.to_dict() if q.role_question else None,
    )
    position = 0
    for section in q.sections:
        for item in section.items:
            position += 1
            row.items.append(
                QuestionItem(
                    position=position,
                    section_id=section.id,
                    indicator_id=item.indicator_id,
                    theme_id=item.theme_id,
                    statement=item.statement,
                    scale_id=item.scale_id,
                    origin=ItemOrigin.BANK,
                    bank_key=item.key,
                    bank_statement=item.statement,
                )
            )
    return row


def skipped_audiences(rnd: FeedbackRound, framework: Framework) -> dict[str, str]:
    """Audiences chosen for the round that got no questionnaire, with the reason."""
    have = {q.audience for q in rnd.questionnaires}
    missing = [a for a in rnd.audiences if a not in have]
    if not missing:
        return {}
    result = qgen.build_questionnaires(
        framework, rnd.indicator_ids, missing, children_band=rnd.children_band
    )
    return result.skipped


def as_generated(row: Questionnaire, framework: Framework) -> qgen.Questionnaire:
    """The stored questionnaire (with any edits) as the pure dataclass surveys/ works with."""
    sections = []
    for sec in row.sections:
        items = tuple(
            qgen.QuestionItem(
                key=str(item.id),
                indicator_id=item.indicator_id,
                theme_id=item.theme_id,
                statement=item.statement,
                scale_id=item.scale_id,
                origin=item.origin.value,
            )
            for item in row.items
            if item.section_id == sec["id"]
        )
        if items:
            sections.append(qgen.QuestionSection(sec["id"], sec["title"], items, sec["free_text"]))
    role = qgen.RoleQuestion.from_dict(row.role_question) if row.role_question else None
    scale_ids = [i.scale_id for s in sections for i in s.items]
    minutes = qgen.estimated_minutes(
        scale_ids,
        free_text_sections=sum(1 for s in sections if s.free_text),
        role_question=role is not None,
    )
    return qgen.Questionnaire(
        framework_id=framework.id,
        audience=row.audience,
        audience_label=framework.audience_label(row.audience),
        easy_read=row.easy_read,
        one_question_per_page=row.one_question_per_page,
        intro=row.intro,
        sections=tuple(sections),
        role_question=role,
        estimated_minutes=minutes,
    )


def freeze(rnd: FeedbackRound) -> None:
    """Make the questionnaires immutable (called by launch, in its transaction)."""
    ensure_draft(rnd)
    for q in rnd.questionnaires:
        q.frozen = True
    db.session.flush()


def rounds_of(org_id: uuid.UUID) -> list[FeedbackRound]:
    return list(
        db.session.execute(
            select(FeedbackRound)
            .where(FeedbackRound.organisation_id == org_id)
            .order_by(FeedbackRound.opens_on.desc(), FeedbackRound.name)
        ).scalars()
    )
