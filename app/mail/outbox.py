"""Claim, send and mark outbox messages (DESIGN.md section 8).

A message is `queued` until a worker claims it (`sending`, with claimed_by / claimed_at), then
`sent`, or back to `queued` with a later `next_attempt_at` after a failed attempt, or `failed`
for good after MAIL_MAX_ATTEMPTS (or at once when the server rejects the address with a 5xx).
PostgreSQL workers claim with FOR UPDATE SKIP LOCKED, so several never take the same row; on
SQLite the claim is one UPDATE ... RETURNING, which SQLite runs alone. A claim older than
MAIL_CLAIM_TIMEOUT_SECONDS belonged to a worker that died: it is put back in the queue.

Each message is marked sent, and committed, right after the server accepts it, so a worker
killed mid-batch re-sends at most the one message in flight.

Privacy: only invitation messages change the per-person `delivery`; reminders touch only
`last_messaged_on`, which is never shown per person. A reminder that is no longer wanted
(the person answered or opted out meanwhile) is deleted without a trace per person.
"""

from __future__ import annotations

import logging
import os
import smtplib
import socket
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask import current_app
from flask_mail import BadHeaderError
from sqlalchemy import ColumnElement, Select, bindparam, delete, select, update

from app.dates import local_day
from app.extensions import db
from app.mail import smtp
from app.mail.render import ChorusMessage, ContextCache, build_message, email_sender
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
from app.services.links import base_url, reset_path

log = logging.getLogger("chorus.mail")

MAX_BACKOFF = timedelta(hours=6)


@dataclass
class BatchReport:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0  # permanently
    dropped: int = 0  # no longer wanted
    released: int = 0  # put back untouched after the connection dropped
    error: str | None = None
    unreachable: bool = False  # the server could not be reached or dropped the connection

    def add(self, other: BatchReport) -> None:
        for name in ("claimed", "sent", "retrying", "failed", "dropped", "released"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.error = other.error or self.error
        self.unreachable = self.unreachable or other.unreachable


def new_worker_id() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def as_utc(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def backoff(attempts: int) -> timedelta:
    """Delay before the next try after `attempts` failures: base, 2x base, 4x base..."""
    base = int(current_app.config.get("MAIL_RETRY_BASE_SECONDS", 300))
    return min(timedelta(seconds=base * 2 ** max(0, attempts - 1)), MAX_BACKOFF)


def _due(now: datetime) -> ColumnElement[bool]:
    return (OutboxMessage.status == MessageStatus.QUEUED) & (
        OutboxMessage.next_attempt_at.is_(None) | (OutboxMessage.next_attempt_at <= now)
    )


def reclaim_stale(now: datetime | None = None) -> int:
    """Put messages claimed by a worker that died back in the queue; commits."""
    now = now or utcnow()
    timeout = timedelta(seconds=int(current_app.config.get("MAIL_CLAIM_TIMEOUT_SECONDS", 600)))
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.status == MessageStatus.SENDING,
            OutboxMessage.claimed_at < now - timeout,
        )
        .values(status=MessageStatus.QUEUED, claimed_by=None, claimed_at=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    count = int(result.rowcount)  # type: ignore[attr-defined]  # DML: a CursorResult
    if count:
        log.warning("Put %d messages back in the queue after a worker stopped mid-batch", count)
    return count


def _due_ids(limit: int, now: datetime) -> Select[tuple[uuid.UUID]]:
    return (
        select(OutboxMessage.id)
        .where(_due(now))
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
        .limit(limit)
    )


def lock_due(limit: int, now: datetime) -> list[uuid.UUID]:
    """PostgreSQL: lock up to `limit` due rows in the current transaction. Rows another
    worker holds are skipped, not waited for, so two workers never get the same message."""
    return list(
        db.session.execute(_due_ids(limit, now).with_for_update(skip_locked=True)).scalars()
    )


def claim(worker: str, limit: int, now: datetime | None = None) -> list[uuid.UUID]:
    """Claim up to `limit` due messages for `worker`; commits so the claim is visible."""
    now = now or utcnow()
    if db.engine.dialect.name == "postgresql":
        # Lock the rows first, then mark them. (A LIMIT ... SKIP LOCKED subquery inside the
        # UPDATE may be re-run by the planner and claim more than `limit`.)
        ids = lock_due(limit, now)
        if ids:
            db.session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(ids))
                .values(status=MessageStatus.SENDING, claimed_by=worker, claimed_at=now)
                .execution_options(synchronize_session=False)
            )
        db.session.commit()
        return ids
    # SQLite runs one writer at a time, so a single UPDATE ... RETURNING is the claim.
    ids = list(
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(_due_ids(limit, now).scalar_subquery()), _due(now))
            .values(status=MessageStatus.SENDING, claimed_by=worker, claimed_at=now)
            .returning(OutboxMessage.id)
            .execution_options(synchronize_session=False)
        ).scalars()
    )
    db.session.commit()
    return ids


@dataclass(frozen=True)
class Pending:
    """A claimed message and what sending it needs, read once (plain values survive commits)."""

    id: uuid.UUID
    kind: MessageKind
    round_id: uuid.UUID | None
    to_address: str
    attempts: int
    invitation_id: uuid.UUID | None
    name: str
    audience: str
    invitation_status: InvitationStatus | None
    delivery: DeliveryStatus | None
    round_status: RoundStatus | None
    closes_on: date | None
    token_hash: str | None = None  # which key made the link (rotation keeps it working)
    language: str | None = None  # the contact's preferred language
    time_zone: str | None = None  # the round's organisation's: its days are local
    account_link_id: uuid.UUID | None = None  # a password reset's link

    def day(self, now: datetime) -> date:
        """The round's local day at `now` (reminder gaps and closing are counted in it)."""
        return local_day(now, self.time_zone)


def _load(ids: Sequence[uuid.UUID]) -> list[Pending]:
    rows = db.session.execute(
        select(
            OutboxMessage.id,
            OutboxMessage.kind,
            OutboxMessage.round_id,
            OutboxMessage.to_address,
            OutboxMessage.attempts,
            Invitation.id,
            Invitation.name,
            Invitation.audience,
            Invitation.status,
            Invitation.delivery,
            FeedbackRound.status,
            FeedbackRound.closes_on,
            Invitation.token_hash,
            Invitation.language,
            Organisation.time_zone,
            OutboxMessage.account_link_id,
        )
        .outerjoin(Invitation, Invitation.id == OutboxMessage.invitation_id)
        .outerjoin(FeedbackRound, FeedbackRound.id == OutboxMessage.round_id)
        .outerjoin(Organisation, Organisation.id == FeedbackRound.organisation_id)
        .where(OutboxMessage.id.in_(ids))
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
    ).all()
    return [
        Pending(
            id=row[0],
            kind=row[1],
            round_id=row[2],
            to_address=row[3],
            attempts=row[4],
            invitation_id=row[5],
            name=row[6] or "",
            audience=row[7] or "",
            invitation_status=row[8],
            delivery=row[9],
            round_status=row[10],
            closes_on=row[11],
            token_hash=row[12],
            language=row[13],
            time_zone=row[14],
            account_link_id=row[15],
        )
        for row in rows
    ]


def _unwanted(message: Pending) -> bool:
    if message.invitation_id is None or message.invitation_status == InvitationStatus.OPTED_OUT:
        return True
    if message.kind == MessageKind.REMINDER:
        return message.invitation_status != InvitationStatus.PENDING or message.delivery in (
            DeliveryStatus.FAILED,
            DeliveryStatus.BOUNCED,
        )
    if message.kind == MessageKind.YOU_SAID:  # answered or not alike; never to a bad address
        return message.delivery in (DeliveryStatus.FAILED, DeliveryStatus.BOUNCED)
    return False


def _round_over(message: Pending, today: date) -> bool:
    return message.round_status != RoundStatus.LIVE or (
        message.closes_on is not None and message.closes_on < today
    )


def _drop(message_id: uuid.UUID) -> None:
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.id == message_id))


# Built once: marking a message sent runs once per email, so statement building adds up.
_SENT = (
    update(OutboxMessage.__table__)
    .where(OutboxMessage.__table__.c.id == bindparam("message_id"))
    .values(
        status=MessageStatus.SENT.value,
        sent_at=bindparam("now"),
        last_error=None,
        next_attempt_at=None,
    )
)
_INVITATION_SENT = (
    update(Invitation.__table__)
    .where(Invitation.__table__.c.id == bindparam("invitation_id"))
    .values(delivery=DeliveryStatus.SENT.value, last_messaged_on=bindparam("today"))
)
_REMINDER_SENT = (
    update(Invitation.__table__)
    .where(Invitation.__table__.c.id == bindparam("invitation_id"))
    .values(last_messaged_on=bindparam("today"))
)


def mark_sent(message: Pending, now: datetime) -> None:
    db.session.execute(_SENT, {"message_id": message.id, "now": now})
    if message.kind in (MessageKind.YOU_SAID, MessageKind.PASSWORD_RESET):
        return  # no invitation, so no reminder schedule to keep
    db.session.execute(
        _INVITATION_SENT if message.kind == MessageKind.INVITATION else _REMINDER_SENT,
        {"invitation_id": message.invitation_id, "today": message.day(now)},
    )


def mark_failed_attempt(
    message: Pending,
    error: str,
    now: datetime,
    *,
    permanent: bool = False,
    bounced: bool = False,
) -> bool:
    """Count a failed attempt; True if the message has now failed for good. `bounced`: the
    server refused the address itself (SMTP 5xx at RCPT), so the invitation is bounced."""
    attempts = message.attempts + 1
    max_attempts = int(current_app.config.get("MAIL_MAX_ATTEMPTS", 5))
    give_up = permanent or attempts >= max_attempts
    values: dict[str, object] = {
        "attempts": attempts,
        "last_error": error[:2000],
        "claimed_by": None,
        "claimed_at": None,
    }
    if give_up:
        values.update(status=MessageStatus.FAILED, next_attempt_at=None)
    else:
        values.update(status=MessageStatus.QUEUED, next_attempt_at=now + backoff(attempts))
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    # Only the invitation's own message sets the per-person state: a reminder's bounce would
    # say that this person had not answered (reminders go only to them).
    if give_up and message.kind == MessageKind.INVITATION:
        db.session.execute(
            update(Invitation)
            .where(Invitation.id == message.invitation_id)
            .values(delivery=DeliveryStatus.BOUNCED if bounced else DeliveryStatus.FAILED)
            .execution_options(synchronize_session=False)
        )
    return give_up


def release(messages: Sequence[Pending]) -> None:
    """Back to the queue untouched: never tried, so no attempt is counted."""
    if not messages:
        return
    db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id.in_([m.id for m in messages]),
            OutboxMessage.status == MessageStatus.SENDING,
        )
        .values(status=MessageStatus.QUEUED, claimed_by=None, claimed_at=None)
        .execution_options(synchronize_session=False)
    )


def _record(
    report: BatchReport,
    message: Pending,
    error: str,
    now: datetime,
    permanent: bool = False,
    bounced: bool = False,
) -> None:
    if mark_failed_attempt(message, error, now, permanent=permanent, bounced=bounced):
        report.failed += 1
    else:
        report.retrying += 1


def send_claimed(ids: Sequence[uuid.UUID], now: datetime | None = None) -> BatchReport:
    """Send claimed messages over one SMTP connection and record each outcome."""
    now = now or utcnow()
    report = BatchReport(claimed=len(ids))
    to_send: list[Pending] = []
    contexts = ContextCache()
    resets: dict[uuid.UUID, ChorusMessage] = {}
    for message in _load(ids):
        if message.kind == MessageKind.PASSWORD_RESET:
            built = _reset_email(message, now)
            if built is None:  # used, expired or withdrawn meanwhile: nothing worth sending
                _drop(message.id)
                report.dropped += 1
            else:
                resets[message.id] = built
                to_send.append(message)
        elif _unwanted(message) or (
            message.kind == MessageKind.YOU_SAID and not contexts.you_said_ready(message)
        ):
            _drop(message.id)
            report.dropped += 1
        elif message.kind == MessageKind.YOU_SAID:
            to_send.append(message)  # sent after the round, by definition
        elif _round_over(message, message.day(now)):
            if message.kind == MessageKind.REMINDER:
                _drop(message.id)
                report.dropped += 1
            else:
                _record(report, message, "The round closed before this was sent.", now, True)
        else:
            to_send.append(message)
    db.session.commit()
    if not to_send:
        return report

    connection = smtp.connect()
    try:
        connection.__enter__()
    except (smtplib.SMTPException, OSError) as exc:
        report.error = smtp.describe_error(exc)
        report.unreachable = True
        for message in to_send:
            _record(report, message, report.error, now)
        db.session.commit()
        log.warning("Mail server unavailable; %d messages will be retried", len(to_send))
        return report

    try:
        for position, message in enumerate(to_send):
            try:
                if message.id in resets:
                    reset = resets[message.id]
                    connection.send(reset, envelope_from=email_sender(reset))
                    mark_sent(message, now)
                    report.sent += 1
                    db.session.commit()
                    continue
                assert message.round_id is not None and message.invitation_id is not None
                email = build_message(
                    message.kind,
                    contexts.get(message.round_id, message.audience),
                    message.invitation_id,
                    message.name,
                    message.to_address,
                    message.token_hash,
                    message.language,
                    you_said=(
                        contexts.you_said(message.round_id, message.audience)
                        if message.kind == MessageKind.YOU_SAID
                        else None
                    ),
                )
                # The bare address as envelope sender: the display name is for the From header.
                connection.send(email, envelope_from=email_sender(email))
            except BadHeaderError:
                error = "The address or subject has a line break in it."
                _record(report, message, error, now, permanent=True)
            except (smtplib.SMTPException, OSError) as exc:
                report.error = smtp.describe_error(exc)
                permanent = smtp.is_permanent(exc)
                _record(
                    report,
                    message,
                    report.error,
                    now,
                    permanent=permanent,
                    bounced=permanent and isinstance(exc, smtplib.SMTPRecipientsRefused),
                )
                if smtp.connection_lost(exc):
                    report.unreachable = True
                    rest = to_send[position + 1 :]
                    release(rest)
                    report.released += len(rest)
                    db.session.commit()
                    break
            except Exception as exc:  # a rendering bug must not lose the message silently
                log.exception("Could not build an outbox message")
                _record(report, message, f"Could not build the email: {type(exc).__name__}", now)
            else:
                mark_sent(message, now)
                report.sent += 1
            db.session.commit()
    finally:
        connection.__exit__(None, None, None)
    return report


def _reset_email(message: Pending, now: datetime) -> ChorusMessage | None:
    """A "forgot password" email, its link rebuilt from the stored link's id (never stored)."""
    from app.mail.staff import staff_message
    from app.services.accounts.colleagues import signed_link

    found = signed_link(message.account_link_id, now) if message.account_link_id else None
    if found is None:
        return None
    link, signed = found
    user = db.session.get(User, link.user_id)
    return staff_message(
        message.to_address,
        "Choose a new Chorus password",
        "mail/staff/reset.txt",
        name=user.name if user else "",
        link=base_url() + reset_path(signed),
    )


def process_batch(
    worker: str, limit: int | None = None, now: datetime | None = None
) -> BatchReport:
    """Claim one batch and send it."""
    limit = limit or int(current_app.config.get("MAIL_BATCH_SIZE", 100))
    ids = claim(worker, limit, now)
    if not ids:
        return BatchReport()
    return send_claimed(ids, now)


def drain(worker: str, now: datetime | None = None, max_batches: int | None = None) -> BatchReport:
    """Send everything due, batch after batch; stop early if the server is unreachable."""
    total = BatchReport()
    batches = 0
    started = time.monotonic()
    while max_batches is None or batches < max_batches:
        # Each batch's claim is dated when it is made, not when the pass began: a long pass
        # outlasts MAIL_CLAIM_TIMEOUT_SECONDS, and another worker's reclaim_stale would take
        # over (and send again) a batch this worker is still sending.
        elapsed = timedelta(seconds=time.monotonic() - started)
        report = process_batch(worker, now=None if now is None else now + elapsed)
        batches += 1
        total.add(report)
        if report.claimed == 0 or report.unreachable:
            break
    if total.claimed:
        log.info(
            "Outbox: %d sent, %d to retry, %d failed, %d no longer needed",
            total.sent,
            total.retrying,
            total.failed,
            total.dropped,
        )
    return total


def retry_failed(round_id: uuid.UUID) -> int:
    """Give permanently failed messages of a round a fresh set of attempts (flushes)."""
    failed_invitations = select(OutboxMessage.invitation_id).where(
        OutboxMessage.round_id == round_id,
        OutboxMessage.status == MessageStatus.FAILED,
        OutboxMessage.kind == MessageKind.INVITATION,
    )
    db.session.execute(
        update(Invitation)
        .where(
            Invitation.id.in_(failed_invitations.scalar_subquery()),
            Invitation.delivery.in_([DeliveryStatus.FAILED, DeliveryStatus.BOUNCED]),
        )
        .values(delivery=DeliveryStatus.QUEUED)
        .execution_options(synchronize_session=False)
    )
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.round_id == round_id, OutboxMessage.status == MessageStatus.FAILED)
        .values(status=MessageStatus.QUEUED, attempts=0, next_attempt_at=None)
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    return int(result.rowcount)  # type: ignore[attr-defined]  # DML: a CursorResult
