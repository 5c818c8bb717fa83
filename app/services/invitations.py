"""What the coordinator may see about invitations, and the opt-out.

The privacy rule (DESIGN.md section 6, issue 5): a per-person row shows only whether the
invitation email itself was delivered (queued, sent, failed) or the person opted out.
Completion, reminders and the last-messaged day are shown only as counts per audience. Every
per-person query here therefore selects email, name, audience, delivery and opted-out: never
`status == completed` and never `last_messaged_on`.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import ColumnElement, case, delete, func, or_, select

from app.extensions import db
from app.models import (
    Channel,
    DeliveryStatus,
    FeedbackRound,
    Invitation,
    InvitationStatus,
    MessageKind,
    MessageStatus,
    OutboxMessage,
    Response,
)
from app.services.tokens import token_hash
from surveys.received import ReceivedCounts, received_counts


class Delivery(enum.StrEnum):
    """The one per-person fact a coordinator sees."""

    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"
    BOUNCED = "bounced"
    OPTED_OUT = "opted_out"

    @property
    def label(self) -> str:
        return {
            "queued": "Waiting to send",
            "sent": "Sent",
            "failed": "Not delivered",
            "bounced": "Bounced (address refused)",
            "opted_out": "Opted out",
        }[self]


def _delivery_expr() -> ColumnElement[str]:
    # Opted out wins; otherwise the invitation email's own delivery. Completion never shows.
    return case(
        (Invitation.status == InvitationStatus.OPTED_OUT, Delivery.OPTED_OUT.value),
        else_=Invitation.delivery,
    )


@dataclass(frozen=True)
class PersonRow:
    email: str
    name: str
    audience: str
    delivery: Delivery


def delivery_rows(
    round_id: uuid.UUID,
    *,
    audience: str | None = None,
    delivery: Delivery | None = None,
    search: str = "",
    page: int = 1,
    per_page: int = 100,
) -> tuple[list[PersonRow], int]:
    """One page of invitees with their delivery, ordered by audience and email."""
    expr = _delivery_expr()
    where = [Invitation.round_id == round_id]
    if audience:
        where.append(Invitation.audience == audience)
    if delivery:
        where.append(expr == delivery.value)
    if search.strip():
        like = f"%{search.strip().lower()}%"
        where.append(
            or_(func.lower(Invitation.email).like(like), func.lower(Invitation.name).like(like))
        )
    total = db.session.execute(
        select(func.count()).select_from(Invitation).where(*where)
    ).scalar_one()
    query = (
        select(Invitation.email, Invitation.name, Invitation.audience, expr)
        .where(*where)
        .order_by(Invitation.audience, Invitation.email, Invitation.id)
    )
    if per_page:
        query = query.offset((max(1, page) - 1) * per_page).limit(per_page)
    rows = [
        PersonRow(email, name, aud, Delivery(str(value)))
        for email, name, aud, value in db.session.execute(query)
    ]
    return rows, total


def delivery_counts(round_id: uuid.UUID) -> dict[str, dict[Delivery, int]]:
    """audience -> delivery -> count."""
    expr = _delivery_expr()
    counts: dict[str, dict[Delivery, int]] = {}
    for aud, value, n in db.session.execute(
        select(Invitation.audience, expr, func.count())
        .where(Invitation.round_id == round_id)
        .group_by(Invitation.audience, expr)
    ):
        counts.setdefault(aud, {})[Delivery(str(value))] = n
    return counts


# -- the response-rate dashboard --------------------------------------------------------------


@dataclass
class AudienceRate:
    audience: str
    label: str
    invited: int = 0
    delivered: int = 0
    failed: int = 0
    opted_out: int = 0
    completed: int = 0
    open_link: int = 0
    paper: int = 0
    kiosk: int = 0

    @property
    def rate(self) -> int | None:
        """Completed as a whole percentage of those invited."""
        return round(100 * self.completed / self.invited) if self.invited else None

    @property
    def responses(self) -> int:
        return self.completed + self.open_link + self.paper + self.kiosk


@dataclass
class Sending:
    total: int = 0
    sent: int = 0
    failed: int = 0
    waiting: int = 0  # queued or sending
    scheduled: int = 0  # queued for a later day (the round has not opened yet)

    @property
    def done(self) -> int:
        return self.sent + self.failed

    @property
    def active(self) -> bool:
        return self.waiting > 0


@dataclass
class RoundRates:
    audiences: list[AudienceRate]
    invitations: Sending
    reminders: Sending

    @property
    def total(self) -> AudienceRate:
        t = AudienceRate("all", "All audiences")
        for a in self.audiences:
            for name in ("invited", "delivered", "failed", "opted_out", "completed"):
                setattr(t, name, getattr(t, name) + getattr(a, name))
            t.open_link += a.open_link
            t.paper += a.paper
            t.kiosk += a.kiosk
        return t


def response_rates(rnd: FeedbackRound, labels: dict[str, str], today: date) -> RoundRates:
    asked = {q.audience for q in rnd.questionnaires}
    audiences = [a for a in rnd.groups if a in asked] or list(rnd.audiences)
    audiences += sorted(asked - set(audiences))
    rates = {a: AudienceRate(a, labels.get(a, a)) for a in audiences}

    def row(aud: str) -> AudienceRate:
        if aud not in rates:
            rates[aud] = AudienceRate(aud, labels.get(aud, aud))
        return rates[aud]

    for aud, invited, delivered, failed, opted_out, completed in db.session.execute(
        select(
            Invitation.audience,
            func.count(),
            func.sum(case((Invitation.delivery == DeliveryStatus.SENT, 1), else_=0)),
            func.sum(
                case(
                    (Invitation.delivery.in_([DeliveryStatus.FAILED, DeliveryStatus.BOUNCED]), 1),
                    else_=0,
                )
            ),
            func.sum(case((Invitation.status == InvitationStatus.OPTED_OUT, 1), else_=0)),
            func.sum(case((Invitation.status == InvitationStatus.COMPLETED, 1), else_=0)),
        )
        .where(Invitation.round_id == rnd.id)
        .group_by(Invitation.audience)
    ):
        r = row(aud)
        r.invited, r.delivered, r.failed = invited, int(delivered or 0), int(failed or 0)
        r.opted_out, r.completed = int(opted_out or 0), int(completed or 0)
    for aud, channel, n in db.session.execute(
        select(Response.audience, Response.channel, func.count())
        .where(Response.round_id == rnd.id, Response.channel != Channel.EMAIL)
        .group_by(Response.audience, Response.channel)
    ):
        if channel == Channel.OPEN_LINK:
            row(aud).open_link = n
        elif channel == Channel.PAPER:
            row(aud).paper = n
        elif channel == Channel.KIOSK:
            row(aud).kiosk = n
    return RoundRates(
        audiences=list(rates.values()),
        invitations=_sending(rnd.id, MessageKind.INVITATION, today),
        reminders=_sending(rnd.id, MessageKind.REMINDER, today),
    )


RECEIVED_CHANNELS = (
    Channel.EMAIL.value,
    Channel.OPEN_LINK.value,
    Channel.PAPER.value,
    Channel.KIOSK.value,
)


def received_by_audience(rates: RoundRates, k: int) -> ReceivedCounts:
    """Answers received per audience and channel, suppressed as the results are."""
    return received_counts(
        {
            a.audience: {
                Channel.EMAIL.value: a.completed,
                Channel.OPEN_LINK.value: a.open_link,
                Channel.PAPER.value: a.paper,
                Channel.KIOSK.value: a.kiosk,
            }
            for a in rates.audiences
        },
        k,
        RECEIVED_CHANNELS,
    )


def _sending(round_id: uuid.UUID, kind: MessageKind, today: date) -> Sending:
    later = datetime.combine(today, time.max, UTC)
    rows = (
        select(
            OutboxMessage.status.label("status"),
            # Not yet tried and due after today: waiting for the round to open.
            case(
                ((OutboxMessage.attempts == 0) & (OutboxMessage.next_attempt_at > later), 1),
                else_=0,
            ).label("scheduled"),
        )
        .where(OutboxMessage.round_id == round_id, OutboxMessage.kind == kind)
        .subquery()
    )
    s = Sending()
    for status, scheduled, n in db.session.execute(
        select(rows.c.status, rows.c.scheduled, func.count()).group_by(
            rows.c.status, rows.c.scheduled
        )
    ):
        s.total += n
        if status == MessageStatus.SENT:
            s.sent += n
        elif status == MessageStatus.FAILED:
            s.failed += n
        else:
            s.waiting += n
            if scheduled and kind == MessageKind.INVITATION:
                s.scheduled += n
    return s


# -- opting out -------------------------------------------------------------------------------


def find_by_token(token: str) -> Invitation | None:
    if not token or len(token) > 100:
        return None
    return db.session.execute(
        select(Invitation).where(Invitation.token_hash == token_hash(token))
    ).scalar_one_or_none()


def opt_out(invitation: Invitation) -> None:
    """No more emails for this invitation (flushes). A completed invitation stays completed,
    and gets no reminders anyway; the person sees the same confirmation either way."""
    if invitation.status == InvitationStatus.PENDING:
        invitation.status = InvitationStatus.OPTED_OUT
    db.session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.invitation_id == invitation.id,
            OutboxMessage.status == MessageStatus.QUEUED,
        )
    )
    db.session.flush()


# -- the Outbox page --------------------------------------------------------------------------


@dataclass
class RoundOutbox:
    round_id: uuid.UUID
    round_name: str
    invitations: Sending
    reminders: Sending


def outbox_rounds(org_id: uuid.UUID, today: date) -> list[RoundOutbox]:
    rounds = db.session.execute(
        select(FeedbackRound.id, FeedbackRound.name)
        .where(
            FeedbackRound.organisation_id == org_id,
            FeedbackRound.id.in_(select(OutboxMessage.round_id).distinct()),
        )
        .order_by(FeedbackRound.launched_at.desc(), FeedbackRound.name)
    ).all()
    return [
        RoundOutbox(
            rid,
            name,
            _sending(rid, MessageKind.INVITATION, today),
            _sending(rid, MessageKind.REMINDER, today),
        )
        for rid, name in rounds
    ]


@dataclass(frozen=True)
class OutboxRow:
    message_id: uuid.UUID
    invitation_id: uuid.UUID | None
    round_name: str
    audience: str
    to_address: str
    status: MessageStatus
    attempts: int
    next_attempt_at: object
    sent_at: object
    last_error: str | None
    token_hash: str | None = None  # to derive the live link under the key that made it (demo)


def invitation_messages(
    org_id: uuid.UUID,
    *,
    round_id: uuid.UUID | None = None,
    status: MessageStatus | None = None,
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[OutboxRow], int]:
    """Invitation messages only: reminders are per-person evidence of not having answered."""
    where = [
        OutboxMessage.kind == MessageKind.INVITATION,
        FeedbackRound.organisation_id == org_id,
    ]
    if round_id:
        where.append(OutboxMessage.round_id == round_id)
    if status:
        where.append(OutboxMessage.status == status)
    base = (
        select(OutboxMessage, FeedbackRound.name, Invitation.audience, Invitation.token_hash)
        .join(FeedbackRound, FeedbackRound.id == OutboxMessage.round_id)
        .join(Invitation, Invitation.id == OutboxMessage.invitation_id)
        .where(*where)
    )
    total = db.session.execute(select(func.count()).select_from(base.subquery())).scalar_one()
    rows = db.session.execute(
        base.order_by(FeedbackRound.name, Invitation.audience, OutboxMessage.to_address)
        .offset((max(1, page) - 1) * per_page)
        .limit(per_page)
    ).all()
    return [
        OutboxRow(
            m.id,
            m.invitation_id,
            name,
            aud,
            m.to_address,
            m.status,
            m.attempts,
            m.next_attempt_at,
            m.sent_at,
            m.last_error,
            stored_hash,
        )
        for m, name, aud, stored_hash in rows
    ], total
