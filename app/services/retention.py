"""Retention (UK GDPR): contacts' addresses and names are kept only as long as they are needed.

An organisation sets how many days after a round closes its contacts are erased (default 30); a
round may keep them longer, to a stated date (a "you said, we did" update). Erasing a round:
its contact rows are deleted, its invitations keep only what the counts need (audience, status,
delivery: the address and name are blanked), and its outbox rows are deleted. Responses are
untouched: they never held an address (DESIGN.md section 6.1).

An erasure request removes one address from every round of the organisation at once, whatever
the dates; that person's anonymous answers stay, as nothing links them to the address.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, func, select, update

from app.dates import Zoned, as_utc, today, zone
from app.extensions import db
from app.models import (
    Contact,
    FeedbackRound,
    Invitation,
    InvitationStatus,
    Organisation,
    OutboxMessage,
    RoundStatus,
    User,
)
from app.models.base import utcnow
from app.services import audit
from app.services.assessment.external import expire_pending_imports
from app.services.responding.window import grace_ends_on, still_accepting

DEFAULT_DAYS = 30
MIN_DAYS = 1
MAX_DAYS = 3650  # ten years: beyond that, a typing mistake
RETAIN_MAX_YEARS = 10


class RetentionError(ValueError):
    """args[0] is {field: message}."""


def round_end(rnd: FeedbackRound, time_zone: Zoned = None) -> date | None:
    """The local day (in `time_zone`, the organisation's) the round stopped accepting answers
    (None while it still may). A round not closed by its coordinator takes answers made before
    its close and queued on a device until its grace period ends (issue 18): erasing before
    then would blank invitations such an answer is still owed to."""
    if rnd.status == RoundStatus.DRAFT:
        return None
    if rnd.closed_at is not None:
        return as_utc(rnd.closed_at).astimezone(zone(time_zone)).date()
    return grace_ends_on(rnd.closes_on, rnd.grace_days)


def erase_on(rnd: FeedbackRound, days: int, time_zone: Zoned = None) -> date:
    """The first day the round's contacts are due for erasure, by its close date as planned
    (a round closed early is erased earlier, never later)."""
    end = round_end(rnd, time_zone) or rnd.closes_on
    due = end + timedelta(days=days)
    if rnd.retain_until is not None:
        due = max(due, rnd.retain_until + timedelta(days=1))
    return due


def erasure_sentence(
    closes_on: date, retain_until: date | None, days: int, grace_days: int = 0
) -> str:
    """The privacy notice's sentence, from the round's planned dates (counted from the end of
    its grace period, when answers stop arriving)."""
    from app.dates import long_date

    due = grace_ends_on(closes_on, grace_days) + timedelta(days=days)
    if retain_until is not None and retain_until >= due:
        return (
            "We delete your email address and name from this survey after "
            f"{long_date(retain_until)}."
        )
    return (
        f"We delete your email address and name from this survey {days} days after it closes, "
        f"by {long_date(due)}."
    )


@dataclass(frozen=True)
class Erased:
    contacts: int = 0
    invitations: int = 0
    messages: int = 0
    uploads: int = 0  # external survey files never confirmed (issue 22), removed

    def __add__(self, other: Erased) -> Erased:
        return Erased(
            self.contacts + other.contacts,
            self.invitations + other.invitations,
            self.messages + other.messages,
            self.uploads + other.uploads,
        )

    @property
    def details(self) -> dict[str, int]:
        return {
            "contacts_erased": self.contacts,
            "invitations_anonymised": self.invitations,
            "messages_deleted": self.messages,
        }


def _rowcount(result: object) -> int:
    return int(result.rowcount)  # type: ignore[attr-defined]  # DML: a CursorResult


def _erase(round_ids: list[uuid.UUID], email: str | None = None) -> Erased:
    """Erase the rounds' addresses, or only `email` (normalised) in them."""
    if not round_ids:
        return Erased()

    def only(column: Any) -> list[ColumnElement[bool]]:
        return [func.lower(column) == email] if email is not None else []

    messages = db.session.execute(
        delete(OutboxMessage)
        .where(OutboxMessage.round_id.in_(round_ids), *only(OutboxMessage.to_address))
        .execution_options(synchronize_session=False)
    )
    contacts = db.session.execute(
        delete(Contact)
        .where(Contact.round_id.in_(round_ids), *only(Contact.email))
        .execution_options(synchronize_session=False)
    )
    if email is not None:
        # One person asked: they are not reminded again either (reminders skip opted-out).
        db.session.execute(
            update(Invitation)
            .where(
                Invitation.round_id.in_(round_ids),
                func.lower(Invitation.email) == email,
                Invitation.status == InvitationStatus.PENDING,
            )
            .values(status=InvitationStatus.OPTED_OUT)
            .execution_options(synchronize_session=False)
        )
    invitations = db.session.execute(
        update(Invitation)
        .where(
            Invitation.round_id.in_(round_ids),
            Invitation.email != "",
            *only(Invitation.email),
        )
        .values(email="", name="")
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    return Erased(_rowcount(contacts), _rowcount(invitations), _rowcount(messages))


def due_rounds(on: date | None = None) -> list[FeedbackRound]:
    """Rounds whose contacts are due for erasure on `on`, else on each organisation's own
    local day (the worker)."""
    # No zone's day is more than a day after UTC's: narrow in SQL, decide per round below.
    latest = on or (datetime.now(UTC).date() + timedelta(days=1))
    rows = db.session.execute(
        select(FeedbackRound, Organisation.retention_days, Organisation.time_zone)
        .join(Organisation, Organisation.id == FeedbackRound.organisation_id)
        .where(
            FeedbackRound.status != RoundStatus.DRAFT,
            FeedbackRound.contacts_erased_at.is_(None),
            # Past its close date, or closed early (its close date may be ahead).
            (FeedbackRound.closes_on < latest) | (FeedbackRound.status == RoundStatus.CLOSED),
        )
        .order_by(FeedbackRound.closes_on, FeedbackRound.id)
    ).all()
    due = []
    for rnd, days, time_zone in rows:
        day = on or today(time_zone)
        if round_end(rnd, time_zone) is None or (
            rnd.status != RoundStatus.CLOSED
            and still_accepting(rnd.status, rnd.closes_on, rnd.grace_days, day)
        ):
            continue
        if erase_on(rnd, days, time_zone) <= day:
            due.append(rnd)
    return due


def run(on: date | None = None, now: datetime | None = None) -> Erased:
    """Erase every round that is due (flushes; the caller commits). Recorded per round."""
    total = Erased()
    for rnd in due_rounds(on):
        erased = _erase([rnd.id])
        rnd.contacts_erased_at = now or utcnow()
        db.session.flush()
        audit.record(
            "retention.erased",
            f"Contacts' email addresses and names erased ({erased.contacts} contacts, "
            f"{erased.invitations} invitations kept as counts only)",
            organisation_id=rnd.organisation_id,
            actor=None,
            round=rnd,
            object_type="round",
            object_id=rnd.id,
            details=erased.details,
        )
        total = total + erased
    return total + Erased(uploads=expire_pending_imports(now))


def erase_person(org: Organisation, email: str, actor: User) -> tuple[Erased, int]:
    """An erasure request: one address out of every round of `org`. (erased, rounds touched)."""
    from app.services.accounts import normalise_email

    address = normalise_email(email)
    round_ids = list(
        db.session.execute(
            select(FeedbackRound.id).where(FeedbackRound.organisation_id == org.id)
        ).scalars()
    )
    touched = set(
        db.session.execute(
            select(Contact.round_id).where(
                Contact.round_id.in_(round_ids), func.lower(Contact.email) == address
            )
        ).scalars()
    ) | set(
        db.session.execute(
            select(Invitation.round_id).where(
                Invitation.round_id.in_(round_ids), func.lower(Invitation.email) == address
            )
        ).scalars()
    )
    erased = _erase(sorted(touched), address)
    # Never the address itself: the trail outlives it.
    audit.record(
        "retention.erasure_request",
        f"Erasure request: one person's address removed from {len(touched)} "
        f"round{'s' if len(touched) != 1 else ''}",
        organisation_id=org.id,
        actor=actor,
        object_type="organisation",
        object_id=org.id,
        details={**erased.details, "rounds": len(touched)},
    )
    return erased, len(touched)


def set_organisation_days(org: Organisation, value: str, actor: User) -> int:
    try:
        days = int(value.strip())
    except ValueError:
        raise RetentionError({"retention_days": "Enter a whole number of days, like 30."}) from None
    if not MIN_DAYS <= days <= MAX_DAYS:
        raise RetentionError(
            {"retention_days": f"Enter a number of days from {MIN_DAYS} to {MAX_DAYS}."}
        )
    if days != org.retention_days:
        before = org.retention_days
        org.retention_days = days
        db.session.flush()
        audit.record(
            "retention.changed",
            f"Contacts kept {days} days after a round closes (was {before})",
            organisation_id=org.id,
            actor=actor,
            object_type="organisation",
            object_id=org.id,
            details={"from": before, "to": days},
        )
    return days


def set_round_retain_until(rnd: FeedbackRound, org: Organisation, value: str, actor: User) -> None:
    """Keep a round's contacts to a stated date (or back to the organisation's setting)."""
    value = value.strip()
    if rnd.contacts_erased_at is not None:
        raise RetentionError({"retain_until": "This round's contacts have already been erased."})
    if not value:
        chosen = None
    else:
        try:
            chosen = date.fromisoformat(value)
        except ValueError:
            raise RetentionError({"retain_until": "Enter a date like 2027-03-31."}) from None
        standard = (round_end(rnd, org) or rnd.closes_on) + timedelta(days=org.retention_days)
        if chosen < standard:
            raise RetentionError(
                {
                    "retain_until": "A round can keep its contacts longer than the usual "
                    f"{org.retention_days} days, never shorter: choose a date after "
                    f"{standard.isoformat()}, or ask for erasure."
                }
            )
        if chosen > today() + timedelta(days=365 * RETAIN_MAX_YEARS):
            raise RetentionError(
                {"retain_until": f"Choose a date within {RETAIN_MAX_YEARS} years."}
            )
    if chosen == rnd.retain_until:
        return
    rnd.retain_until = chosen
    db.session.flush()
    audit.record(
        "retention.round_extended" if chosen else "retention.round_standard",
        f"Contacts kept until {chosen.isoformat()}"
        if chosen
        else f"Contacts kept the usual {org.retention_days} days",
        organisation_id=org.id,
        actor=actor,
        round=rnd,
        object_type="round",
        object_id=rnd.id,
        details={"retain_until": chosen.isoformat() if chosen else ""},
    )
