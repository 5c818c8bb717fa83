"""Which rounds have results: only launched ones, listed with the totals that may be shown."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select

from app.extensions import db
from app.models import FeedbackRound, Response, RoundStatus
from app.services.mix import shown
from app.services.results.visibility import audience_visibility
from surveys.evidence import hidden_figure

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


@dataclass(frozen=True, slots=True)
class RoundTotal:
    """A round's total responses, or None and the words its cell reads instead."""

    count: int | None
    notice: str = ""


def total_respondents_shown(rounds: list[FeedbackRound]) -> dict[uuid.UUID, RoundTotal]:
    """Each round's total responses, or the reason it is hidden.

    The total is hidden whenever an audience is under k (else total minus the shown audiences
    gives the small one away). It then reads "Fewer than k" only if the round itself has fewer
    than k responses; a round of 300 whose total protects a group of 4 says so instead.
    """
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
    totals: dict[uuid.UUID, RoundTotal] = {}
    for rnd in rounds:
        counts = per_round.get(rnd.id, {})
        total = sum(counts.values())
        if audience_visibility(counts, rnd.threshold).total_shown:
            totals[rnd.id] = RoundTotal(total)
        else:
            small = 0 < total < rnd.threshold
            totals[rnd.id] = RoundTotal(None, hidden_figure(small, rnd.threshold))
    return totals


def earlier_rounds(rnd: FeedbackRound) -> list[FeedbackRound]:
    """Rounds of the same organisation and framework with results, other than this one."""
    return [
        other
        for other in rounds_with_results(rnd.organisation_id)
        if other.id != rnd.id and other.framework_id == rnd.framework_id
    ]
