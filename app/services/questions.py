"""The coordinator's own questions of a round (issue 20): add, edit, remove before launch.

The checks are `surveys.question_types`; this module stores them. A question is asked, after the
statements, of the round's groups the coordinator ticked (every one by default: stored as None,
which also covers a group added later); it is frozen with the round at launch (DESIGN.md 2), so
answers never meet a changed spec. A group taken out of the round is ignored where the choice is
read; a question left asked of no group stops the launch (app/services/launch.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import delete, func, select

from app.extensions import db
from app.models import FeedbackRound, RoundQuestion
from app.services.rounds import RoundError, ensure_draft
from surveys import question_types as qt

QUESTIONS_MAX = 20
# The form's marker that its audience checkboxes were shown: without it a post means every group.
AUDIENCES_LISTED = "audiences_listed"


class FormLike(Protocol):
    def getlist(self, key: str) -> list[str]: ...


def _first(form: FormLike, name: str) -> str:
    values = form.getlist(name)
    return values[0] if values else ""


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
    audiences: tuple[str, ...] | None = None  # the groups ticked; None: every group

    @classmethod
    def of(cls, form: FormLike) -> QuestionInput:
        listed = _first(form, AUDIENCES_LISTED) == "yes"
        return cls(
            kind=_first(form, "kind"),
            text=_first(form, "text"),
            options=_first(form, "options"),
            other=_first(form, "other") == "yes",
            minimum=_first(form, "minimum"),
            maximum=_first(form, "maximum"),
            bins=_first(form, "bins"),
            indicator_id=_first(form, "indicator_id"),
            audiences=tuple(form.getlist("audience")) if listed else None,
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
            audiences=None if question.audiences is None else tuple(question.audiences),
        )

    def ticks(self, audience: str) -> bool:
        """Whether the form shows `audience` ticked."""
        return self.audiences is None or audience in self.audiences


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


def asked_of(rnd: FeedbackRound, question: RoundQuestion) -> list[str]:
    """The round's groups, in order, that `question` is put to (a group no longer in the
    round is left out: it has no questionnaire to ask it in)."""
    return [group for group in rnd.groups if question.asks(group)]


def questions_of(round_id: uuid.UUID) -> list[RoundQuestion]:
    return list(
        db.session.execute(
            select(RoundQuestion)
            .where(RoundQuestion.round_id == round_id)
            .order_by(RoundQuestion.position)
        ).scalars()
    )


AUDIENCE_MESSAGES = {
    "audiences_none": "Choose at least one audience to ask this question of.",
    "audience_unknown": "Choose only from this round's audiences.",
}


def _audiences(
    rnd: FeedbackRound, given: Sequence[str] | None, refusals: list[qt.QuestionError]
) -> list[str] | None:
    """The groups to store: None for every group of the round."""
    if given is None:
        return None
    groups = rnd.groups
    if any(a not in groups for a in given):
        code = "audience_unknown"
    elif not given:
        code = "audiences_none"
    else:
        chosen = [g for g in groups if g in given]
        return None if chosen == groups else chosen
    refusals.append(qt.QuestionError(code, AUDIENCE_MESSAGES[code], "audiences"))
    return None


def _checked(
    rnd: FeedbackRound, given: QuestionInput
) -> tuple[qt.Spec, str | None, list[str] | None]:
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
    audiences = _audiences(rnd, given.audiences, refusals)
    if refusals or spec is None:
        raise QuestionRefused(tuple(refusals))
    return spec, indicator, audiences


def _store(
    question: RoundQuestion, spec: qt.Spec, indicator: str | None, audiences: list[str] | None
) -> None:
    same_words = (
        question.kind == spec.kind.value
        and question.text == spec.text
        and question.spec == spec.to_json()
    )
    question.kind = spec.kind.value
    question.text = spec.text
    question.spec = spec.to_json()
    question.indicator_id = indicator
    question.audiences = audiences
    if not same_words:  # the words changed: any translation of them is stale
        question.translations = {}


def add_question(rnd: FeedbackRound, given: QuestionInput) -> RoundQuestion:
    ensure_draft(rnd)
    spec, indicator, audiences = _checked(rnd, given)
    count = db.session.execute(
        select(func.count()).where(RoundQuestion.round_id == rnd.id)
    ).scalar_one()
    if count >= QUESTIONS_MAX:
        raise RoundError({"text": f"A round can ask at most {QUESTIONS_MAX} questions of its own."})
    last = db.session.execute(
        select(func.max(RoundQuestion.position)).where(RoundQuestion.round_id == rnd.id)
    ).scalar_one()
    question = RoundQuestion(round_id=rnd.id, position=(last or 0) + 1)
    _store(question, spec, indicator, audiences)
    db.session.add(question)
    db.session.flush()
    return question


def update_question(rnd: FeedbackRound, question: RoundQuestion, given: QuestionInput) -> None:
    ensure_draft(rnd)
    spec, indicator, audiences = _checked(rnd, given)
    _store(question, spec, indicator, audiences)
    db.session.flush()


def remove_question(rnd: FeedbackRound, question: RoundQuestion) -> None:
    ensure_draft(rnd)
    db.session.execute(delete(RoundQuestion).where(RoundQuestion.id == question.id))
    db.session.flush()


def copy_questions(source: FeedbackRound, target: FeedbackRound) -> None:
    """A copied round asks the same questions (same words and options, so comparable) of the
    same groups; a group the copy lacks is ignored there as anywhere (`asked_of`)."""
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
                audiences=None if question.audiences is None else list(question.audiences),
            )
        )
    db.session.flush()
