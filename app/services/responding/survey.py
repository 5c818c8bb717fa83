"""A survey as a respondent meets it: the questionnaire's shape plus the round's facts."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.dates import long_date
from app.extensions import db
from app.models import FeedbackRound, Organisation, Questionnaire, RoundStatus
from app.services.bounded_cache import BoundedCache
from app.services.responding.shape import Shape, build_shape
from app.services.responding.window import Window, round_window

# Frozen questionnaires never change, so their shape is cached per process (bounded).
_SHAPES_MAX = 128
_shapes: BoundedCache[uuid.UUID, Shape] = BoundedCache(_SHAPES_MAX)


def clear_shape_cache() -> None:
    """Forget every cached shape (tests that empty the tables call this)."""
    _shapes.clear()


@dataclass(frozen=True)
class Survey:
    """A questionnaire's shape plus the round facts a respondent is told about."""

    shape: Shape
    organisation: str
    round_name: str
    status: RoundStatus
    opens_on: date
    closes_on: date
    threshold: int
    results_shared_on: date | None

    def window(self, on: date) -> Window:
        return round_window(self.status, self.opens_on, self.closes_on, on)

    @property
    def closes_on_text(self) -> str:
        return long_date(self.closes_on)

    @property
    def results_text(self) -> str:
        if self.results_shared_on:
            return f"from {long_date(self.results_shared_on)}"
        return f"after the survey closes on {long_date(self.closes_on)}"


def load_survey(questionnaire_id: uuid.UUID) -> Survey | None:
    """The survey for a questionnaire id, or None if there is no such questionnaire.

    Every respondent page calls this, so it reads the round's few facts as plain columns and
    takes the (immutable) shape of a frozen questionnaire from the per-process cache.
    """
    facts = db.session.execute(
        select(
            FeedbackRound.id,
            FeedbackRound.name,
            FeedbackRound.status,
            FeedbackRound.opens_on,
            FeedbackRound.closes_on,
            FeedbackRound.threshold,
            FeedbackRound.results_shared_on,
            Organisation.name.label("organisation"),
        )
        .join(Questionnaire, Questionnaire.round_id == FeedbackRound.id)
        .join(Organisation, Organisation.id == FeedbackRound.organisation_id)
        .where(Questionnaire.id == questionnaire_id)
    ).first()
    if facts is None:
        return None
    shape = _shapes.get(questionnaire_id)
    if shape is None:
        rnd = db.session.get(FeedbackRound, facts.id)
        row = db.session.execute(
            select(Questionnaire)
            .options(selectinload(Questionnaire.items))
            .where(Questionnaire.id == questionnaire_id)
        ).scalar_one()
        assert rnd is not None
        shape = build_shape(row, rnd)
        if shape.frozen:
            _shapes.put(questionnaire_id, shape)
    return Survey(
        shape=shape,
        organisation=facts.organisation,
        round_name=facts.name,
        status=facts.status,
        opens_on=facts.opens_on,
        closes_on=facts.closes_on,
        threshold=facts.threshold,
        results_shared_on=facts.results_shared_on,
    )


def survey_from(shape: Shape, rnd: FeedbackRound, organisation: str) -> Survey:
    """A survey for a round already loaded (the coordinator's preview)."""
    return Survey(
        shape=shape,
        organisation=organisation,
        round_name=rnd.name,
        status=rnd.status,
        opens_on=rnd.opens_on,
        closes_on=rnd.closes_on,
        threshold=rnd.threshold,
        results_shared_on=rnd.results_shared_on,
    )
