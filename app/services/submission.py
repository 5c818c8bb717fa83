"""Submitting a questionnaire: one transaction, once per invitation, idempotent per browser.

Submitting completes the invitation and puts the answers, sealed, in the inbox
(app/services/mix), in one transaction: a token answers exactly once and nothing is lost. The
response itself is written later by the release step, in a transaction touching no invitation,
under a fresh random id (DESIGN.md 6.1, 6.3).

The browser's submission id is kept only as a keyed hash in `spent_submission`, so the same
submission sent twice (a double tap, a refresh, two racing requests) stores one sealed copy
and gets the thank-you page both times. An invitation is claimed with `UPDATE ... WHERE status
= 'pending'`, and only the request whose UPDATE changed a row seals (PostgreSQL row locks make a
racing second UPDATE wait, then see "completed").
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from app import i18n
from app.extensions import db
from app.models import (
    Channel,
    FeedbackRound,
    Invitation,
    InvitationStatus,
    RoundStatus,
    SpentSubmission,
)
from app.services import core_sql, mix
from app.services.responding import (
    FREE_TEXT_MAX,
    Progress,
    Survey,
    Window,
    delete_draft,
    in_grace,
    round_window,
)
from app.services.tokens import token_hash


class Outcome(enum.StrEnum):
    STORED = "stored"
    ALREADY_STORED = "already_stored"  # this very submission was stored before: thank them again
    INVITATION_USED = "invitation_used"  # another submission already used the invitation
    INVITATION_OPTED_OUT = "invitation_opted_out"
    INVITATION_GONE = "invitation_gone"
    CLOSED = "closed"
    TOO_LATE = "too_late"  # made before the close, but arrived after its grace period
    NOT_OPEN = "not_open"
    INCOMPLETE = "incomplete"


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    incomplete_page: int | None = None

    @property
    def thanked(self) -> bool:
        return self.outcome in {Outcome.STORED, Outcome.ALREADY_STORED}


# Every submission runs these: built once on the tables, so a send builds no SQL (and
# SQLAlchemy's cache key of each is worked out once per process), and run past the ORM.
_SPENT_TABLE = core_sql.table(SpentSubmission)
_ROUNDS = core_sql.table(FeedbackRound)
_INVITATIONS = core_sql.table(Invitation)
_SPENT = (
    select(_SPENT_TABLE.c.digest)
    .where(_SPENT_TABLE.c.digest.in_(bindparam("digests", expanding=True)))
    .limit(1)
)
_WINDOW = (
    select(
        _ROUNDS.c.status,
        _ROUNDS.c.opens_on,
        _ROUNDS.c.closes_on,
        _ROUNDS.c.grace_days,
    )
    .where(_ROUNDS.c.id == bindparam("round_id"))
    .with_for_update(read=True)
)
_CLAIM = (
    update(_INVITATIONS)
    .where(
        # Not the columns' names: an UPDATE keeps those for the values it sets.
        _INVITATIONS.c.token_hash == bindparam("b_hash"),
        _INVITATIONS.c.round_id == bindparam("b_round"),
        _INVITATIONS.c.audience == bindparam("b_audience"),
        _INVITATIONS.c.status == InvitationStatus.PENDING,
    )
    .values(status=InvitationStatus.COMPLETED)
)
_STATUS = select(_INVITATIONS.c.status).where(_INVITATIONS.c.token_hash == bindparam("h"))
_SPEND = insert(_SPENT_TABLE)


def already_stored(submission_id: uuid.UUID, round_id: uuid.UUID) -> bool:
    """This submission id was spent before, under the current key or an old one."""
    digests = mix.spent_digests(round_id, submission_id)
    return core_sql.execute(_SPENT, {"digests": digests}).first() is not None


def _window_now(round_id: uuid.UUID, on: date, made_on: date | None) -> Outcome | None:
    """Read the round again, holding a share lock so a close waits for this transaction;
    None if it takes this submission, else why not.

    `made_on` is the day a queued submission's grant was issued (issue 18): a submission made
    before the close may arrive in the grace period after it; the form path has none.
    """
    row = core_sql.execute(_WINDOW, {"round_id": round_id}).one()
    window = round_window(row.status, row.opens_on, row.closes_on, on)
    if window == Window.OPEN:
        return None
    if window == Window.NOT_YET:
        return Outcome.NOT_OPEN
    if made_on is None or row.status == RoundStatus.CLOSED or made_on > row.closes_on:
        return Outcome.CLOSED
    if in_grace(row.status, row.closes_on, int(row.grace_days), on):
        return None
    return Outcome.TOO_LATE


def _claim_invitation(token: str, survey: Survey) -> Outcome | None:
    """Mark the invitation completed; None on success, else why it could not be claimed."""
    h = token_hash(token)
    shape = survey.shape
    claimed = core_sql.execute(
        _CLAIM, {"b_hash": h, "b_round": shape.round_id, "b_audience": shape.audience}
    )
    if claimed.rowcount == 1:
        return None
    status = core_sql.execute(_STATUS, {"h": h}).scalar_one_or_none()
    if status == InvitationStatus.OPTED_OUT:
        return Outcome.INVITATION_OPTED_OUT
    if status is None:
        return Outcome.INVITATION_GONE
    return Outcome.INVITATION_USED


def _seal(survey: Survey, progress: Progress, channel: Channel) -> None:
    """Spend the submission id and put the answers, sealed, in the inbox."""
    shape = survey.shape
    digest = mix.current_spent_digest(shape.round_id, progress.submission_id)
    core_sql.execute(_SPEND, {"digest": digest, "round_id": shape.round_id})
    sealed = mix.Sealed(
        channel=channel,
        role=progress.role,
        answers=[(item.id, progress.answers[item.position]) for item in shape.items],
        comments=[
            (box.section_id, box.code, progress.texts[box.key])
            for box in shape.boxes.values()
            if progress.texts.get(box.key) and len(progress.texts[box.key]) <= FREE_TEXT_MAX
        ],
        language=i18n.current().code,  # the page's language (app/respond/views.py set it)
        questions=[
            (q.id, *progress.extras[q.position])
            for q in shape.questions
            if q.position in progress.extras
        ],
    )
    mix.put(shape.round_id, shape.audience, [sealed])


def submit(
    survey: Survey,
    progress: Progress,
    *,
    channel: Channel,
    token: str | None,
    secret: str,
    on: date,
    made_on: date | None = None,
) -> Result:
    """Store a completed questionnaire (flushes; the caller commits, or rolls back if refused).

    Refusals change nothing. A race with the same submission id ends as ALREADY_STORED.
    `made_on`: for a queued submission, the day of its grant (the grace period applies).
    """
    shape = survey.shape
    if progress.questionnaire_id != shape.questionnaire_id:
        raise ValueError("progress belongs to another questionnaire")
    # Sent before, its spent id is already there: under one key, storing it again collides on
    # that id (the IntegrityError below), so only with old keys is it looked up first. A refusal
    # looks first too: a double tap after the close still gets its thank-you page.
    if mix.has_old_keys() and already_stored(progress.submission_id, shape.round_id):
        return Result(Outcome.ALREADY_STORED)
    refused_now = _window_now(shape.round_id, on, made_on)
    if refused_now is not None:
        if already_stored(progress.submission_id, shape.round_id):
            return Result(Outcome.ALREADY_STORED)
        return Result(refused_now)
    missing = progress.first_incomplete_page(shape)
    if missing is not None:
        return Result(Outcome.INCOMPLETE, missing)

    if channel == Channel.EMAIL:
        if token is None:
            raise ValueError("an email submission needs its invitation token")
        refused = _claim_invitation(token, survey)
        if refused is not None:
            # A racing twin of this very submission may have claimed it: that is a success.
            db.session.rollback()
            if already_stored(progress.submission_id, shape.round_id):
                return Result(Outcome.ALREADY_STORED)
            return Result(refused)
    try:
        _seal(survey, progress, channel)
        if token is not None:
            delete_draft(secret, token)
        db.session.flush()
    except IntegrityError:
        # Only a twin submission with the same id can collide on the spent id.
        db.session.rollback()
        if already_stored(progress.submission_id, shape.round_id):
            return Result(Outcome.ALREADY_STORED)
        raise
    return Result(Outcome.STORED)
