"""Reminders: "send now" with a preview count, and the optional schedule (days before close).

A reminder goes only to an invitation that is pending (not completed, not opted out), whose
invitation email was delivered (not queued, not failed), that was last messaged at least
`reminder_min_gap_days` ago and has no reminder already waiting. It reuses the invitation's
link (the token is derived again at send time). Nothing here is per person on screen: the
preview and the results are counts.

The schedule keeps no state of its own. On a day at or after a scheduled point D (close date
minus N days) and before the next one, an invitation is reminded if it was last messaged
before D (and at least the gap ago). Once reminded, its last_messaged_on is D or later, so the
same point never reminds it twice, and a worker that was down on day D catches up later.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Exists, Select, and_, case, exists, func, insert, select

from app.dates import as_utc, local_day, long_date
from app.extensions import db
from app.models import (
    DeliveryStatus,
    FeedbackRound,
    Invitation,
    InvitationStatus,
    MessageKind,
    MessageStatus,
    Organisation,
    OutboxMessage,
    RoundStatus,
    User,
)
from app.models.base import utcnow

MAX_SCHEDULE_POINTS = 5
MAX_DAYS_BEFORE_CLOSE = 90
MAX_GAP_DAYS = 30
DAY = timedelta(days=1)


class ReminderSettingsError(ValueError):
    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass
class ReminderPreview:
    count: int
    per_audience: dict[str, int]
    blocked: str | None
    gap_days: int
    # Why the others get none (counts only): completed, opted_out, failed, not_delivered,
    # recent (messaged within the gap), waiting (a reminder is already queued).
    not_reminded: dict[str, int] = field(default_factory=dict)


def blocked_reason(rnd: FeedbackRound, today: date) -> str | None:
    """Why reminders cannot go out for this round today, or None."""
    if rnd.status == RoundStatus.DRAFT:
        return "Reminders can be sent once the round has been launched."
    if rnd.status == RoundStatus.CLOSED or today > rnd.closes_on:
        return "The round has closed, so there is nobody left to remind."
    if today < rnd.opens_on:
        return f"The round opens on {long_date(rnd.opens_on)}; reminders can be sent after that."
    return None


def _reminder_waiting() -> Exists:
    return exists(
        select(OutboxMessage.id).where(
            OutboxMessage.invitation_id == Invitation.id,
            OutboxMessage.kind == MessageKind.REMINDER,
            OutboxMessage.status.in_([MessageStatus.QUEUED, MessageStatus.SENDING]),
        )
    )


def eligible(
    rnd: FeedbackRound, today: date, since: date | None = None
) -> Select[tuple[uuid.UUID, str, str]]:
    """(invitation id, email, audience) of every invitation a reminder may go to today."""
    cutoff = today - timedelta(days=max(1, rnd.reminder_min_gap_days))
    query = select(Invitation.id, Invitation.email, Invitation.audience).where(
        Invitation.round_id == rnd.id,
        Invitation.status == InvitationStatus.PENDING,
        Invitation.delivery == DeliveryStatus.SENT,
        Invitation.last_messaged_on <= cutoff,
        ~_reminder_waiting(),
    )
    if since is not None:
        query = query.where(Invitation.last_messaged_on < since)
    return query


def preview(rnd: FeedbackRound, today: date) -> ReminderPreview:
    blocked = blocked_reason(rnd, today)
    per_audience: dict[str, int] = {}
    if blocked is None:
        sub = eligible(rnd, today).subquery()
        per_audience = {
            aud: n
            for aud, n in db.session.execute(
                select(sub.c.audience, func.count()).group_by(sub.c.audience)
            )
        }
    cutoff = today - timedelta(days=max(1, rnd.reminder_min_gap_days))
    pending = Invitation.status == InvitationStatus.PENDING
    reasons = {
        "completed": Invitation.status == InvitationStatus.COMPLETED,
        "opted_out": Invitation.status == InvitationStatus.OPTED_OUT,
        "failed": and_(
            pending, Invitation.delivery.in_([DeliveryStatus.FAILED, DeliveryStatus.BOUNCED])
        ),
        "not_delivered": and_(pending, Invitation.delivery == DeliveryStatus.QUEUED),
        "waiting": and_(pending, Invitation.delivery == DeliveryStatus.SENT, _reminder_waiting()),
        "recent": and_(
            pending,
            Invitation.delivery == DeliveryStatus.SENT,
            Invitation.last_messaged_on > cutoff,
            ~_reminder_waiting(),
        ),
    }
    row = db.session.execute(
        select(*(func.sum(case((cond, 1), else_=0)) for cond in reasons.values())).where(
            Invitation.round_id == rnd.id
        )
    ).one()
    return ReminderPreview(
        count=sum(per_audience.values()),
        per_audience=per_audience,
        blocked=blocked,
        gap_days=max(1, rnd.reminder_min_gap_days),
        not_reminded={k: int(v or 0) for k, v in zip(reasons, row, strict=True)},
    )


def queue_reminders(
    rnd: FeedbackRound,
    today: date,
    now: datetime | None = None,
    since: date | None = None,
    actor: User | None = None,
) -> int:
    """Queue a reminder for every eligible invitation; flushes; returns how many.

    Recorded in the audit trail (by `actor`, or Chorus for the schedule) with counts only.
    """
    if blocked_reason(rnd, today) is not None:
        return 0
    now = now or utcnow()
    found = db.session.execute(eligible(rnd, today, since)).all()
    rows = [
        {
            "id": uuid.uuid4(),
            "created_at": now,
            "round_id": rnd.id,
            "invitation_id": invitation_id,
            "kind": MessageKind.REMINDER,
            "to_address": email,
            "status": MessageStatus.QUEUED,
            "attempts": 0,
        }
        for invitation_id, email, _ in found
    ]
    per_audience: dict[str, int] = {}
    for _, _, audience in found:
        per_audience[audience] = per_audience.get(audience, 0) + 1
    if rows:
        db.session.execute(insert(OutboxMessage), rows)
        _record_sent(rnd, per_audience, today, actor)
    db.session.flush()
    return len(rows)


def audit_counts(rnd: FeedbackRound, per_audience: dict[str, int], today: date) -> dict[str, int]:
    """The audiences whose number reminded may be written down: at least k, and only where
    that audience's answers received are shown (invited minus reminded is about the number
    who answered, the reminders page's own rule)."""
    from app.invitations.common import audience_labels
    from app.services.invitations import received_by_audience, response_rates

    rates = response_rates(rnd, audience_labels(rnd), today)
    received = received_by_audience(rates, rnd.threshold)
    shown: dict[str, int] = {}
    for audience, n in per_audience.items():
        got = received.audiences.get(audience)
        visible = got is not None and got.shown and got.channels.get("email") is not None
        if n >= rnd.threshold and visible:
            shown[audience] = n
    return shown


def _record_sent(
    rnd: FeedbackRound, per_audience: dict[str, int], today: date, actor: User | None
) -> None:
    from app.invitations.common import audience_labels
    from app.services import audit

    shown = audit_counts(rnd, per_audience, today)
    labels = audience_labels(rnd)
    words = "Reminders sent" if actor is not None else "Scheduled reminders sent"
    if shown:
        parts = ", ".join(f"{labels.get(a, a)} {n}" for a, n in sorted(shown.items()))
        summary = f"{words}: {parts}" + (
            " (other audiences: not shown, fewer than the threshold)"
            if len(shown) < len(per_audience)
            else ""
        )
    else:
        summary = words
    audit.record(
        "reminders.sent",
        summary,
        organisation_id=rnd.organisation_id,
        actor=actor,
        round=rnd,
        object_type="round",
        object_id=rnd.id,
        details={f"reminded_{a}": n for a, n in shown.items()},
    )


def scheduled_point(rnd: FeedbackRound, today: date) -> date | None:
    """The latest scheduled reminder day reached by `today`, while the round is open."""
    if blocked_reason(rnd, today) is not None:
        return None
    points = [rnd.closes_on - timedelta(days=d) for d in rnd.reminder_days_before_close or []]
    reached = [p for p in points if p <= today]
    return max(reached) if reached else None


def apply_schedules(today: date | None = None, now: datetime | None = None) -> int:
    """Queue the scheduled reminders due today across all live rounds; flushes.

    `today` None (the worker): each round's own local day, in its organisation's time zone."""
    now = now or utcnow()
    # Every zone's day is within a day of UTC's: narrow in SQL, decide per round below.
    utc_day = as_utc(now).date()
    early, late = (today, today) if today else (utc_day + DAY, utc_day - DAY)
    rows = db.session.execute(
        select(FeedbackRound, Organisation.time_zone)
        .join(Organisation, Organisation.id == FeedbackRound.organisation_id)
        .where(
            FeedbackRound.status == RoundStatus.LIVE,
            FeedbackRound.opens_on <= early,
            FeedbackRound.closes_on >= late,
        )
    ).all()
    queued = 0
    for rnd, time_zone in rows:
        day = today or local_day(now, time_zone)
        point = scheduled_point(rnd, day)
        if point is not None:
            queued += queue_reminders(rnd, day, now, since=point)
    return queued


def parse_schedule(days_text: str, gap_text: str) -> tuple[list[int], int]:
    """'7, 2' and '3' -> ([7, 2], 3); ReminderSettingsError names each bad field."""
    errors: dict[str, str] = {}
    days: set[int] = set()
    for part in days_text.replace(";", ",").replace(" ", ",").split(","):
        if not part.strip():
            continue
        try:
            value = int(part)
        except ValueError:
            errors["reminder_days"] = f"“{part.strip()}” is not a whole number of days."
            break
        if not 1 <= value <= MAX_DAYS_BEFORE_CLOSE:
            errors["reminder_days"] = (
                f"Each day must be between 1 and {MAX_DAYS_BEFORE_CLOSE} days before the close."
            )
            break
        days.add(value)
    if "reminder_days" not in errors and len(days) > MAX_SCHEDULE_POINTS:
        errors["reminder_days"] = f"Choose at most {MAX_SCHEDULE_POINTS} reminder days."
    gap = 0
    try:
        gap = int(gap_text.strip())
        if not 1 <= gap <= MAX_GAP_DAYS:
            raise ValueError
    except ValueError:
        errors["reminder_gap"] = (
            f"Enter the gap as a whole number of days from 1 to {MAX_GAP_DAYS}."
        )
    if errors:
        raise ReminderSettingsError(errors)
    return sorted(days, reverse=True), gap


def set_schedule(rnd: FeedbackRound, days: list[int], gap: int) -> None:
    if rnd.status == RoundStatus.CLOSED:
        raise ReminderSettingsError({"reminder_days": "The round has closed."})
    rnd.reminder_days_before_close = list(days)
    rnd.reminder_min_gap_days = gap
    db.session.flush()
