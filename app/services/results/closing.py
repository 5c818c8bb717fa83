"""Closing a round: no further responses are accepted and its results freeze."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from app.extensions import db
from app.models import FeedbackRound, RoundStatus
from app.services.mix import release_round
from app.services.responding import discard_drafts


class CloseError(ValueError):
    """The round cannot be closed in its present state; the message says why."""


def close_round(rnd: FeedbackRound) -> FeedbackRound:
    """Close a live round: no further responses are accepted and its results stop changing.

    The round row is re-read FOR UPDATE: a submission holds a share lock on it while it
    inserts, so on PostgreSQL the close waits for submissions in flight, and any submission
    after it sees "closed" and is refused. (SQLite serialises writers anyway.)
    """
    db.session.execute(
        select(FeedbackRound)
        .where(FeedbackRound.id == rnd.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    if rnd.status == RoundStatus.DRAFT:
        raise CloseError("This round has not been launched yet, so there is nothing to close.")
    if rnd.status == RoundStatus.CLOSED:
        raise CloseError("This round is already closed.")
    rnd.status = RoundStatus.CLOSED
    rnd.closed_at = datetime.now(UTC)
    discard_drafts(rnd.id)  # unsent drafts can never be sent now (DESIGN.md 6.4, 6.7)
    db.session.flush()
    # Everything still sealed is released now, however few (DESIGN.md 6.3); no invitation is
    # touched in this transaction. A very large remainder on SQLite may need the worker's next
    # pass too (release_waiting); until then readers still hold the latest batch back.
    release_round(rnd.id, everything=True)
    return rnd
