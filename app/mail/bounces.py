"""Delivery-status notifications read from a bounce mailbox over IMAP (DESIGN.md section 8).

A mail server that accepted an invitation may still fail to deliver it later and send a
delivery-status notification (RFC 3464) to the sender's bounce address. When BOUNCE_IMAP_HOST
is set, the worker reads the mailbox's unseen messages each pass: a report whose recipient
failed permanently (Action: failed, Status 5.x.x) marks that invitation bounced.

Only reports about an invitation email count, recognised by the original subject the report
quotes: a reminder goes only to people who have not answered, so marking a contact bounced
after a reminder would tell the coordinator who had not answered (DESIGN.md section 6). A report
that quotes no subject, or a reminder's, is read and left alone. Every message read is marked
seen, so it is read once.
"""

from __future__ import annotations

import contextlib
import imaplib
import logging
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage, Message

from flask import current_app
from sqlalchemy import func, select, update

from app.extensions import db
from app.models import DeliveryStatus, FeedbackRound, Invitation, Organisation, RoundStatus

log = logging.getLogger("chorus.mail")

REMINDER_PREFIX = "Reminder:"


@dataclass(frozen=True)
class Failure:
    recipient: str
    subject: str | None  # the original message's subject, if the report quotes it


def configured() -> bool:
    return bool((current_app.config.get("BOUNCE_IMAP_HOST") or "").strip())


def _address(field: str) -> str:
    """'rfc822; Name@Example.org' -> 'name@example.org'."""
    value = field.split(";", 1)[-1].strip().strip("<>")
    return value.lower()


def failures(message: Message) -> list[Failure]:
    """The permanent failures a delivery-status notification reports (none if it is not one)."""
    if message.get_content_type() != "multipart/report":
        return []
    if str(message.get_param("report-type") or "").lower() != "delivery-status":
        return []
    subject: str | None = None
    blocks: list[Message] = []
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "message/delivery-status":
            payload = part.get_payload()
            blocks.extend(p for p in payload if isinstance(p, Message))
        elif kind == "text/rfc822-headers":
            raw = part.get_payload(decode=True)
            quoted = message_from_bytes(
                raw if isinstance(raw, bytes) else b"", policy=policy.default
            )
            subject = str(quoted["Subject"] or "") or None
        elif kind == "message/rfc822":
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                subject = str(inner[0]["Subject"] or "") or None
    found = []
    for block in blocks:
        action = str(block.get("Action", "")).strip().lower()
        status = str(block.get("Status", "")).strip()
        recipient = block.get("Final-Recipient") or block.get("Original-Recipient")
        if action == "failed" and status.startswith("5") and recipient:
            found.append(Failure(_address(str(recipient)), subject))
    return found


def mark_bounced(failure: Failure) -> int:
    """Mark the invitation the report is about bounced; flushes; returns how many changed."""
    subject = " ".join((failure.subject or "").split())
    if not subject or subject.startswith(REMINDER_PREFIX):
        return 0
    rounds = db.session.execute(
        select(FeedbackRound.id, FeedbackRound.name, Organisation.name)
        .join(Organisation, Organisation.id == FeedbackRound.organisation_id)
        .join(Invitation, Invitation.round_id == FeedbackRound.id)
        .where(
            func.lower(Invitation.email) == failure.recipient,
            FeedbackRound.status != RoundStatus.DRAFT,
        )
    ).all()
    # The invitation's subject names the organisation and the round (app.mail.render.subject).
    wanted = [rid for rid, name, org in rounds if subject == f"{org} would like your views: {name}"]
    if not wanted:
        return 0
    result = db.session.execute(
        update(Invitation)
        .where(
            Invitation.round_id.in_(wanted),
            func.lower(Invitation.email) == failure.recipient,
            Invitation.delivery == DeliveryStatus.SENT,
        )
        .values(delivery=DeliveryStatus.BOUNCED)
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    return int(result.rowcount)  # type: ignore[attr-defined]  # DML: a CursorResult


def _connect() -> imaplib.IMAP4:
    config = current_app.config
    host = str(config["BOUNCE_IMAP_HOST"]).strip()
    use_ssl = bool(config.get("BOUNCE_IMAP_SSL", True))
    port = int(config.get("BOUNCE_IMAP_PORT") or (993 if use_ssl else 143))
    timeout = float(config.get("MAIL_TIMEOUT_SECONDS", 30))
    if use_ssl:
        return imaplib.IMAP4_SSL(host, port, timeout=timeout)
    return imaplib.IMAP4(host, port, timeout=timeout)


def read_mailbox() -> int:
    """Read the unseen reports once; returns how many invitations were marked bounced. The
    caller commits."""
    config = current_app.config
    marked = 0
    imap = _connect()
    try:
        imap.login(
            str(config.get("BOUNCE_IMAP_USER") or ""), str(config.get("BOUNCE_IMAP_PASSWORD") or "")
        )
        imap.select(str(config.get("BOUNCE_IMAP_MAILBOX") or "INBOX"))
        _, found = imap.search(None, "UNSEEN")
        for number in (found[0] or b"").split():
            _, data = imap.fetch(number.decode(), "(RFC822)")  # marks it seen
            raw = next((part[1] for part in data if isinstance(part, tuple)), b"")
            message = message_from_bytes(raw, policy=policy.default)
            assert isinstance(message, EmailMessage)
            for failure in failures(message):
                marked += mark_bounced(failure)
    finally:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            imap.logout()
    return marked
