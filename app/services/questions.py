"""The coordinator's own questions of a round (issue 20): add, edit, remove before launch.

The checks are `surveys.question_types`; this module stores them. A question is asked of every
audience of the round, after its statements; it is frozen with the round at launch
(DESIGN.md 2), so answers never meet a changed spec.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import delete, func, select

from app.extensions import db
from app.models import FeedbackRound, RoundQuestion
from app.services.rounds import RoundError, ensure_draft
from surveys import question_types as qt

QUESTIONS_MAX = 20


@dataclass(frozen=True, slots=True)
class QuestionInput:
    """What the coordinator's form sent, as typed (shown again on a mistake)."""

    kind: str = ""
    text: str = ""
    options: str = ""
    other: bool = False
    minimum: str = ""
    maximum: str = ""
    bins: str = ""
    indicator_id: str = ""

    @classmethod
    def of(cls, form: Mapping[str, str]) -> QuestionInput:
        return cls(
            kind=form.get("kind", ""),
            text=form.get("text", ""),
            options=form.get("options", ""),
            other=form.get("other") == "yes",
            minimum=form.get("minimum", ""),
            maximum=form.get("maximum", ""),
            bins=form.get("bins", ""),
            indicator_id=form.get("indicator_id", ""),
        )

    @classmethod
    def from_question(cls, question: RoundQuestion) -> QuestionInput:
        spec = spec_of(question)
        return cls(
            kind=spec.kind.value,
            text=spec.text,
            options="\n".join(spec.options),
            other=spec.other,
            minimum="" if spec.minimum is None else str(spec.minimum),
            maximum="" if spec.maximum is None else str(spec.maximum),
            bins=spec.bins_text(),
            indicator_id=question.indicator_id or "",
        )


class QuestionRefused(RoundError):
    """A spec with mistakes: `errors` maps each form field to its first message; `refusals`
    keeps every `QuestionError` so the page can translate them."""

    def __init__(self, refusals: tuple[qt.QuestionError, ...]) -> None:
        errors: dict[str, str] = {}
        for refusal in refusals:
            errors.setdefault(refusal.field or "text", str(refusal))
        super().__init__(errors)
        self.refusals = refusals


def spec_of(question: RoundQuestion) -> qt.Spec:
    return qt.Spec.from_json(question.kind, question.text, question.spec)


def questions_of(round_id: uuid.UUID) -> list[RoundQuestion]:
    return list(
        db.session.execute(
            select(RoundQuestion)
            .where(RoundQuestion.round_id == round_id)
            .order_by(RoundQuestion.position)
        ).scalars()
    )


def _checked(rnd: FeedbackRound, given: QuestionInput) -> tuple[qt.Spec, str | None]:
    refusals: list[qt.QuestionError] = []
    spec: qt.Spec | None = None
    try:
        spec = qt.check_spec(
            given.kind,
            given.text,
            options=qt.options_from_text(given.options),
            other=given.other,
            minimum=given.minimum,
            maximum=given.maximum,
            bins=given.bins,
        )
    except qt.SpecInvalid as invalid:
        refusals.extend(invalid.errors)
    indicator = given.indicator_id.strip() or None
    if indicator is not None and indicator not in rnd.indicator_ids:
        refusals.append(
            qt.QuestionError(
                "indicator_unknown",
                "Choose one of this round's indicators, or the round as a whole.",
                "indicator_id",
            )
        )
    if refusals or spec is None:
        raise QuestionRefused(tuple(refusals))
    return spec, indicator


def _store(question: RoundQuestion, spec: qt.Spec, indicator: str | None) -> None:
    question.kind = spec.kind.value
    question.text = spec.text
    question.spec = spec.to_json()
    question.indicator_id = indicator
    question.translations = {}  # the words changed: any translation of them is stale


def add_question(rnd: FeedbackRound, given: QuestionInput) -> RoundQuestion:
    ensure_draft(rnd)
    spec, indicator = _checked(rnd, given)
    count = db.session.execute(
        select(func.count()).where(RoundQuestion.round_id == rnd.id)
    ).scalar_one()
    if count >= QUESTIONS_MAX:
        raise RoundError({"text": f"A round can ask at most {QUESTIONS_MAX} questions of its own."})
    last = db.session.execute(
        select(func.max(RoundQuestion.position)).where(RoundQuestion.round_id == rnd.id)
    ).scalar_one()
    question = RoundQuestion(round_id=rnd.id, position=(last or 0) + 1)
    _store(question, spec, indicator)
    db.session.add(question)
    db.session.flush()
    return question


def update_question(rnd: FeedbackRound, question: RoundQuestion, given: QuestionInput) -> None:
    ensure_draft(rnd)
    spec, indicator = _checked(rnd, given)
    _store(question, spec, indicator)
    db.session.flush()


def remove_question(rnd: FeedbackRound, question: RoundQuestion) -> None:
    ensure_draft(rnd)
    db.session.execute(delete(RoundQuestion).where(RoundQuestion.id == question.id))
    db.session.flush()


def copy_questions(source: FeedbackRound, target: FeedbackRound) -> None:
    """A copied round asks the same questions (same words and options, so comparable)."""
    for question in questions_of(source.id):
        db.session.add(
            RoundQuestion(
                round_id=target.id,
                position=question.position,
                kind=question.kind,
                text=question.text,
                spec=dict(question.spec),
                indicator_id=question.indicator_id
                if question.indicator_id in target.indicator_ids
                else None,
                translations=dict(question.translations or {}),
            )
        )
    db.session.flush()
