"""A survey as a respondent meets it: the questionnaire's shape plus the round's facts."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session, selectinload

from app.extensions import db
from app.i18n import _, local_long_date, offered
from app.models import FeedbackRound, Organisation, Questionnaire, RoundStatus
from app.services.bounded_cache import BoundedCache
from app.services.responding.shape import Shape, build_shape
from app.services.responding.window import Window, grace_until, round_window

# Frozen questionnaires never change, so their shape is cached per process (bounded).
_SHAPES_MAX = 128
_shapes: BoundedCache[uuid.UUID, Shape] = BoundedCache(_SHAPES_MAX)

# What can change on a launched round (its status and dates above all, also its name and the
# organisation's) is held a few seconds per process, so a respondent's pages need no database:
# a page may show a round as open for at most this long after it closed (in another process;
# this one forgets at once, see `_forget_changed_rounds`). That is safe because sending re-reads
# the round under a share lock (app/services/submission.py) and is refused once it has closed.
FACTS_SECONDS = 5.0
_facts: BoundedCache[uuid.UUID, tuple[float, Row[Any]]] = BoundedCache(_SHAPES_MAX)


def clear_shape_cache() -> None:
    """Forget every cached shape and round facts (tests that empty the tables call this)."""
    _shapes.clear()
    _facts.clear()


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
    retain_until: date | None = None
    retention_days: int = 30
    languages: tuple[str, ...] = ("en",)  # offered to respondents; the first is the default
    time_zone: str = ""  # the organisation's: the round opens and closes at its midnight
    grace_days: int = 3  # answers made before the close, queued on a device (issue 18)

    def window(self, on: date) -> Window:
        return round_window(self.status, self.opens_on, self.closes_on, on)

    def grace_until(self, on: date) -> date | None:
        """Closed, but still accepting answers made before the close until this day."""
        return grace_until(self.status, self.closes_on, self.grace_days, on)

    @property
    def closes_on_text(self) -> str:
        return local_long_date(self.closes_on)

    @property
    def retention_text(self) -> str:
        """The privacy notice's sentence on when an invitee's address and name are erased."""
        from app.services.retention import erasure_sentence

        return erasure_sentence(
            self.closes_on, self.retain_until, self.retention_days, self.grace_days
        )

    @property
    def results_text(self) -> str:
        """A sentence in the page's language."""
        if self.results_shared_on:
            return _(
                "Results will be shared from %(date)s.",
                date=local_long_date(self.results_shared_on),
            )
        return _(
            "Results will be shared after the survey closes on %(date)s.",
            date=local_long_date(self.closes_on),
        )


def load_survey(questionnaire_id: uuid.UUID) -> Survey | None:
    """The survey for a questionnaire id, or None if there is no such questionnaire.

    Every respondent page calls this. For a frozen questionnaire both parts come from the
    per-process caches: the (immutable) shape, and the round's few facts for FACTS_SECONDS;
    so most page views run no SQL and take no connection at all.
    """
    now = time.monotonic()
    held = _facts.get(questionnaire_id)
    fresh = held is None or held[0] <= now
    if held is not None and not fresh:
        facts = held[1]
    else:
        found = _read_facts(questionnaire_id)
        if found is None:
            return None
        facts = found
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
    if shape.frozen and fresh:  # a draft's questionnaire is never answered: nothing to hold
        _facts.put(questionnaire_id, (now + FACTS_SECONDS, facts))
    return Survey(
        shape=shape,
        organisation=facts.organisation,
        round_name=facts.name,
        status=facts.status,
        opens_on=facts.opens_on,
        closes_on=facts.closes_on,
        threshold=facts.threshold,
        results_shared_on=facts.results_shared_on,
        retain_until=facts.retain_until,
        retention_days=facts.retention_days,
        languages=offered(facts.languages),
        time_zone=facts.time_zone,
        grace_days=facts.grace_days,
    )


def _read_facts(questionnaire_id: uuid.UUID) -> Row[Any] | None:
    return db.session.execute(
        select(
            FeedbackRound.id,
            FeedbackRound.name,
            FeedbackRound.status,
            FeedbackRound.opens_on,
            FeedbackRound.closes_on,
            FeedbackRound.threshold,
            FeedbackRound.results_shared_on,
            FeedbackRound.retain_until,
            FeedbackRound.grace_days,
            Organisation.retention_days,
            FeedbackRound.languages,
            Organisation.name.label("organisation"),
            Organisation.time_zone,
        )
        .join(Questionnaire, Questionnaire.round_id == FeedbackRound.id)
        .join(Organisation, Organisation.id == FeedbackRound.organisation_id)
        .where(Questionnaire.id == questionnaire_id)
    ).first()


# -- forgetting held facts when this process changes a round ---------------------------------------

_CHANGED = "chorus_round_facts_changed"


@event.listens_for(Session, "after_flush")
def _note_changed_rounds(session: Session, _context: Any) -> None:
    changed = (*session.dirty, *session.deleted)
    if any(isinstance(obj, FeedbackRound | Organisation) for obj in changed):
        session.info[_CHANGED] = True


@event.listens_for(Session, "after_commit")
def _forget_changed_rounds(session: Session) -> None:
    """A round closed, re-dated or renamed here is seen at once by this process's pages."""
    if session.info.pop(_CHANGED, False):
        _facts.clear()


@event.listens_for(Session, "after_soft_rollback")
def _nothing_changed(session: Session, _previous: Any) -> None:
    session.info.pop(_CHANGED, None)


def survey_from(
    shape: Shape, rnd: FeedbackRound, organisation: str, retention_days: int = 30
) -> Survey:
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
        retain_until=rnd.retain_until,
        retention_days=retention_days,
        languages=offered(rnd.languages),
        grace_days=rnd.grace_days,
    )
