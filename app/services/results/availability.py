"""Which rounds have results: only launched ones, listed with the totals that may be shown."""

from __future__ import annotations

import uuid
from collections import defaultdict

from sqlalchemy import func, select

from app.extensions import db
from app.models import FeedbackRound, Response, RoundStatus
from app.services.mix import shown
from app.services.results.visibility import audience_visibility

RESULT_STATUSES = (RoundStatus.LIVE, RoundStatus.CLOSED)


class ResultsUnavailable(LookupError):
    """A draft round has no results yet."""


def ensure_results(rnd: FeedbackRound) -> None:
    if rnd.status not in RESULT_STATUSES:
        raise ResultsUnavailable(
            "This round is a draft: results appear once it has been launched and people answer."
        )


def rounds_with_results(org_id: uuid.UUID) -> list[FeedbackRound]:
    return list(
        db.session.execute(
            select(FeedbackRound)
            .where(
                FeedbackRound.organisation_id == org_id,
                FeedbackRound.status.in_(RESULT_STATUSES),
            )
            .order_by(FeedbackRound.opens_on.desc(), FeedbackRound.name)
        ).scalars()
    )


def total_respondents_shown(rounds: list[FeedbackRound]) -> dict[uuid.UUID, int | None]:
    """Each round's total responses, or None where it must be hidden (fewer than k)."""
    if not rounds:
        return {}
    per_round: dict[uuid.UUID, dict[str, int]] = defaultdict(dict)
    for rnd in rounds:
        cut = shown(rnd.id)  # what the round's own pages count, one release behind while live
        rows = db.session.execute(
            select(Response.audience, func.count())
            .where(Response.round_id == rnd.id, cut.where(Response.release_batch))
            .group_by(Response.audience)
        )
        for audience, count in rows:
            per_round[rnd.id][audience] = count
    totals: dict[uuid.UUID, int | None] = {}
    for rnd in rounds:
        counts = per_round.get(rnd.id, {})
        visibility = audience_visibility(counts, rnd.threshold)
        totals[rnd.id] = sum(counts.values()) if visibility.total_shown else None
    return totals


def earlier_rounds(rnd: FeedbackRound) -> list[FeedbackRound]:
    """Rounds of the same organisation and framework with results, other than this one."""
    return [
        other
        for other in rounds_with_results(rnd.organisation_id)
        if other.id != rnd.id and other.framework_id == rnd.framework_id
    ]
