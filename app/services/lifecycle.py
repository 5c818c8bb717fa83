"""A round's life after its draft (issue 16): states, dates, wording, cancel, archive, delete.

States are derived, never stored twice: `status` says draft, live or closed, and a live round is
Scheduled before its opening day and Open from it, in the organisation's local day
(`app.dates.today`). A closed round is never reopened (new answers would be differenced against
its final results, DESIGN.md 6.8).

Every change re-reads the round FOR UPDATE or changes it with a conditional UPDATE on its status,
so two coordinators acting at once (cancel and launch, say) end in one consistent state. The
services flush; the view commits once.
"""

from __future__ import annotations

import enum
import uuid
from datetime import UTC, date, datetime, time

from sqlalchemy import delete, func, insert, select, update

from app.dates import Zoned, zone
from app.extensions import db
from app.models import (
    Contact,
    FeedbackRound,
    Invitation,
    InvitationStatus,
    MessageKind,
    MessageStatus,
    Organisation,
    OutboxMessage,
    RoundStatus,
)
from app.models.base import utcnow
from app.services.responding.window import grace_ends_on, in_grace
from app.services.rounds import RoundError
from app.services.rounds import _copy_questionnaire as copy_questionnaire

WORDING_MAX = 2000


class RoundState(enum.StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"
    ARCHIVED = "archived"

    @property
    def label(self) -> str:
        return self.value.capitalize()


def round_state(rnd: FeedbackRound, today: date) -> RoundState:
    """The state a coordinator sees. A live round past its closing day takes no answers, so it
    reads Closed, though its results are final only once it is closed (`awaiting_close`)."""
    if rnd.archived_at is not None:
        return RoundState.ARCHIVED
    if rnd.status == RoundStatus.DRAFT:
        return RoundState.DRAFT
    if rnd.status == RoundStatus.CLOSED or today > rnd.closes_on:
        return RoundState.CLOSED
    if today < rnd.opens_on:
        return RoundState.SCHEDULED
    return RoundState.OPEN


def awaiting_close(rnd: FeedbackRound, today: date) -> bool:
    """Live, past its closing day, not yet closed: results are not final until it is (nor
    while its grace period runs, `grace_until`)."""
    return rnd.status == RoundStatus.LIVE and today > rnd.closes_on


def grace_until(rnd: FeedbackRound, today: date) -> date | None:
    """Past its closing day but inside its grace period (issue 18): the last day answers made
    before the close may still arrive from a device's queue. None otherwise."""
    if rnd.archived_at is None and in_grace(rnd.status, rnd.closes_on, rnd.grace_days, today):
        return grace_ends_on(rnd.closes_on, rnd.grace_days)
    return None


def send_at(opens_on: date, today: date, time_zone: Zoned = None) -> datetime | None:
    """When invitations go: now if the round is open, else midnight of the opening day in the
    organisation's time zone."""
    if opens_on <= today:
        return None
    return datetime.combine(opens_on, time(), zone(time_zone)).astimezone(UTC)


def organisation_zone(rnd: FeedbackRound) -> str | None:
    """The time zone name of the round's organisation."""
    return db.session.execute(
        select(Organisation.time_zone).where(Organisation.id == rnd.organisation_id)
    ).scalar_one_or_none()


def lock_round(rnd: FeedbackRound) -> FeedbackRound:
    """Re-read the round FOR UPDATE (PostgreSQL waits for anyone else changing it)."""
    return db.session.execute(
        select(FeedbackRound)
        .where(FeedbackRound.id == rnd.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


class LifecycleError(RoundError):
    """The round is not in a state that allows this; the message says why."""

    def __init__(self, message: str):
        super().__init__({"round": message})


CLOSED_NEVER_REOPENED = (
    "This round is closed, and a closed round is never reopened: new answers would be compared "
    "against its final results. Copy it into a new round to ask again."
)


# -- dates ----------------------------------------------------------------------------------------


def change_dates(
    rnd: FeedbackRound, opens_on: date | None, closes_on: date | None, today: date
) -> dict[str, tuple[date, date]]:
    """Change a launched round's dates; return {field: (before, after)} for what changed.

    The opening date can change only while the round is Scheduled, and not to a past day; the
    closing date can move either way but never before today or the opening day. Invitations
    waiting for the opening day move with it. Raises RoundError naming each bad field."""
    lock_round(rnd)
    if rnd.status == RoundStatus.DRAFT:
        raise LifecycleError("This round is a draft: change its dates in its settings.")
    if rnd.status == RoundStatus.CLOSED:
        raise LifecycleError(CLOSED_NEVER_REOPENED)
    state = round_state(rnd, today)
    errors: dict[str, str] = {}
    new_opens = rnd.opens_on if opens_on is None else opens_on
    if closes_on is None:
        errors["closes_on"] = "Enter the closing date as a day, month and year."
    if new_opens != rnd.opens_on:
        if state != RoundState.SCHEDULED:
            errors["opens_on"] = (
                "The round has already opened, so its opening date cannot change now."
            )
        elif new_opens < today:
            errors["opens_on"] = "The opening date cannot be in the past."
    if closes_on is not None:
        if closes_on < today:
            errors["closes_on"] = "The closing date cannot be before today."
        elif closes_on < new_opens:
            errors["closes_on"] = "The closing date must be on or after the opening date."
    if errors:
        raise RoundError(errors)
    assert closes_on is not None
    changed: dict[str, tuple[date, date]] = {}
    if new_opens != rnd.opens_on:
        changed["opens_on"] = (rnd.opens_on, new_opens)
        rnd.opens_on = new_opens
        db.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.round_id == rnd.id,
                OutboxMessage.kind == MessageKind.INVITATION,
                OutboxMessage.status == MessageStatus.QUEUED,
                OutboxMessage.attempts == 0,
            )
            .values(next_attempt_at=send_at(new_opens, today, organisation_zone(rnd)))
            .execution_options(synchronize_session=False)
        )
    if closes_on != rnd.closes_on:
        changed["closes_on"] = (rnd.closes_on, closes_on)
        rnd.closes_on = closes_on
    db.session.flush()
    return changed


# -- wording --------------------------------------------------------------------------------------


def clean_wording(text: str | None) -> str | None:
    text = (text or "").replace("\r\n", "\n").strip()
    return text or None


def set_wording(
    rnd: FeedbackRound, invitation_intro: str | None, reminder_intro: str | None
) -> list[str]:
    """Set the opening paragraph of invitations and reminders (empty: Chorus's own wording).

    Mail is rendered when it is sent, so this reaches every message not yet sent and none that
    has gone. Returns which wordings changed."""
    lock_round(rnd)
    if rnd.status == RoundStatus.CLOSED or rnd.archived_at is not None:
        raise LifecycleError("This round is closed, so no more messages will be sent.")
    errors: dict[str, str] = {}
    new = {
        "invitation_intro": clean_wording(invitation_intro),
        "reminder_intro": clean_wording(reminder_intro),
    }
    for field_name, value in new.items():
        if value and len(value) > WORDING_MAX:
            errors[field_name] = f"This must be {WORDING_MAX} characters or fewer."
    if errors:
        raise RoundError(errors)
    changed = [k for k, v in new.items() if getattr(rnd, k) != v]
    for k in changed:
        setattr(rnd, k, new[k])
    db.session.flush()
    return changed


# -- cancel ---------------------------------------------------------------------------------------


def invitation_count(round_id: uuid.UUID) -> int:
    """How many invitations a cancel would withdraw (for the page and the audit trail)."""
    return int(
        db.session.execute(
            select(func.count()).select_from(Invitation).where(Invitation.round_id == round_id)
        ).scalar_one()
    )


def cancel_round(rnd: FeedbackRound, today: date, *, delete_round: bool = False) -> int:
    """Cancel a Scheduled round: its queued messages are withdrawn and nothing is sent; the
    invitations become contacts again and the round a draft (or it is deleted). Returns how many
    contacts came back.

    A conditional UPDATE claims the round (only one of two racing requests finds it live and
    not yet open), the same way launch claims a draft, so cancel and launch never interleave."""
    claimed = db.session.execute(
        update(FeedbackRound)
        .where(
            FeedbackRound.id == rnd.id,
            FeedbackRound.status == RoundStatus.LIVE,
            FeedbackRound.opens_on > today,
            FeedbackRound.archived_at.is_(None),
        )
        .values(status=RoundStatus.DRAFT, launched_at=None)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]  # DML: a CursorResult
        db.session.refresh(rnd)
        if rnd.status == RoundStatus.DRAFT:
            raise LifecycleError("This round is not launched, so there is nothing to cancel.")
        raise LifecycleError(
            "Only a round that has not opened yet can be cancelled. This one has opened: you "
            "can bring its closing date forward, or close it."
        )
    gone = db.session.execute(
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.round_id == rnd.id, OutboxMessage.status != MessageStatus.QUEUED)
    ).scalar_one()
    if gone:
        # A message is being sent or has gone: cancelling would not be the truth. (A scheduled
        # round's invitations are not due, so this means a late change; refuse, change nothing.)
        raise LifecycleError("Some messages for this round are already being sent.")
    people = db.session.execute(
        select(Invitation.audience, Invitation.email, Invitation.name)
        .where(Invitation.round_id == rnd.id, Invitation.status != InvitationStatus.OPTED_OUT)
        .order_by(Invitation.audience, Invitation.email)
    ).all()
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.round_id == rnd.id))
    db.session.execute(delete(Invitation).where(Invitation.round_id == rnd.id))
    db.session.refresh(rnd)
    # Back to editable questionnaires under new ids: respondent pages cache a frozen
    # questionnaire's shape per id in every process ("frozen never changes"), so the draft's
    # questionnaires must not reuse an id that may be cached. Nobody can have answered yet.
    for old in list(rnd.questionnaires):
        fresh = copy_questionnaire(old)
        fresh.version = old.version
        rnd.questionnaires.remove(old)
        db.session.flush()
        rnd.questionnaires.append(fresh)
    db.session.flush()
    if delete_round:
        db.session.delete(rnd)
        db.session.flush()
        return 0
    if people:
        db.session.execute(
            insert(Contact),
            [
                {"id": uuid.uuid4(), "round_id": rnd.id, "audience": a, "email": e, "name": n}
                for a, e, n in people
            ],
        )
    db.session.flush()
    return len(people)


# -- archive and delete ---------------------------------------------------------------------------


def archive_round(rnd: FeedbackRound) -> None:
    lock_round(rnd)
    if rnd.status != RoundStatus.CLOSED:
        raise LifecycleError("Only a closed round can be archived. Close it first.")
    if rnd.archived_at is not None:
        raise LifecycleError("This round is already archived.")
    rnd.archived_at = utcnow()
    db.session.flush()


def unarchive_round(rnd: FeedbackRound) -> None:
    lock_round(rnd)
    if rnd.archived_at is None:
        raise LifecycleError("This round is not archived.")
    rnd.archived_at = None
    db.session.flush()


def delete_closed_round(rnd: FeedbackRound, typed_name: str) -> None:
    """Delete a closed round with everything in it, once its name has been typed exactly."""
    lock_round(rnd)
    if rnd.status != RoundStatus.CLOSED:
        raise LifecycleError(
            "Only a closed round can be deleted with its responses. Close it first, or cancel "
            "it if it has not opened yet."
        )
    if " ".join(typed_name.split()) != rnd.name:
        raise RoundError(
            {"confirm_name": f"Type the round's name exactly, “{rnd.name}”, to delete it."}
        )
    db.session.delete(rnd)  # the database cascades to everything that belongs to the round
    db.session.flush()
