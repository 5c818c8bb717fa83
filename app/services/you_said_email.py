"""The optional "you said, we did" email (issue 19), to everyone who was invited.

Everyone invited, whether they answered or not, except those who opted out, whose address
bounced or failed, or whose address was erased: never only those who answered, so receiving
it says nothing about anyone. One identical message per audience (the public page's words and
figures), queued in the outbox for the mail worker, once per round, and only while the round's
retention still keeps the addresses. Recorded in the audit trail as a count.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, insert, select

from app.dates import long_date
from app.extensions import db
from app.models import (
    DeliveryStatus,
    FeedbackRound,
    Invitation,
    InvitationStatus,
    MessageKind,
    MessageStatus,
    OutboxMessage,
    Questionnaire,
    RoundNotice,
    RoundStatus,
    User,
)
from app.models.base import utcnow
from app.services import audit
from app.services.links import base_url
from app.services.round_notices import Finding, findings, get_notice


class EmailRefused(ValueError):
    """args[0]: why, in plain words for the coordinator."""


def recipients(rnd: FeedbackRound) -> Select[tuple[uuid.UUID, str]]:
    """(invitation id, address) of everyone the email goes to."""
    return select(Invitation.id, Invitation.email).where(
        Invitation.round_id == rnd.id,
        Invitation.status != InvitationStatus.OPTED_OUT,
        Invitation.delivery.not_in([DeliveryStatus.BOUNCED, DeliveryStatus.FAILED]),
        Invitation.email != "",
    )


def recipient_count(rnd: FeedbackRound) -> int:
    sub = recipients(rnd).subquery()
    return int(db.session.execute(select(func.count()).select_from(sub)).scalar_one())


def refusal(rnd: FeedbackRound, notice: RoundNotice | None) -> str | None:
    """Why the email cannot be sent now, or None."""
    if notice is None or not notice.published or rnd.status != RoundStatus.CLOSED:
        return "Publish the page first: the email tells people it is there."
    if notice.emailed_at is not None:
        return (
            f"It was emailed on {long_date(notice.emailed_at)} to {notice.emailed_count or 0} "
            "people. It is sent only once; the public page keeps up to date."
        )
    if rnd.contacts_erased_at is not None:
        return (
            f"The round's email addresses were erased on {long_date(rnd.contacts_erased_at)}, "
            "as its retention setting says, so the email can no longer be sent. The public "
            "page and its poster still work."
        )
    if recipient_count(rnd) == 0:
        return "Nobody can be emailed: everyone invited opted out or their address bounced."
    return None


def queue_email(rnd: FeedbackRound, actor: User, now: datetime | None = None) -> int:
    """Queue the email for everyone it goes to; flushes; returns how many. EmailRefused (and
    nothing written) when `refusal` says why not."""
    notice = get_notice(rnd)
    why = refusal(rnd, notice)
    if why is not None:
        raise EmailRefused(why)
    assert notice is not None
    now = now or utcnow()
    rows = [
        {
            "id": uuid.uuid4(),
            "created_at": now,
            "round_id": rnd.id,
            "invitation_id": invitation_id,
            "kind": MessageKind.YOU_SAID,
            "to_address": email,
            "status": MessageStatus.QUEUED,
            "attempts": 0,
        }
        for invitation_id, email in db.session.execute(recipients(rnd))
    ]
    db.session.execute(insert(OutboxMessage), rows)
    notice.emailed_at, notice.emailed_count = now, len(rows)
    audit.record(
        "notice.emailed",
        f"“You said, we did” emailed to {len(rows)} people invited (all but those who opted "
        "out or whose address bounced)",
        organisation_id=rnd.organisation_id,
        actor=actor,
        round=rnd,
        object_type="round_notice",
        object_id=notice.id,
        details={"count": len(rows)},
    )
    db.session.flush()
    return len(rows)


@dataclass(frozen=True, slots=True)
class YouSaidMail:
    """What the email to one audience says: the same for everyone in it."""

    page_url: str
    heard: str
    doing: str
    findings: tuple[Finding, ...]
    threshold: int


def you_said_public_path(questionnaire_id: uuid.UUID) -> str:
    """The public page's path (respond.you_said); tests/app/reports fail if the route moves."""
    return f"/q/{questionnaire_id}/you-said-we-did"


def mail_content(round_id: uuid.UUID, audience: str) -> YouSaidMail:
    """Read at send time, so the email says what the page says then. LookupError if the page
    is no longer published (the message is then not sent)."""
    rnd = db.session.get(FeedbackRound, round_id)
    notice = get_notice(rnd) if rnd is not None else None
    if rnd is None or notice is None or not notice.published or rnd.status != RoundStatus.CLOSED:
        raise LookupError("the page is not published")
    questionnaire_id = db.session.execute(
        select(Questionnaire.id).where(
            Questionnaire.round_id == round_id, Questionnaire.audience == audience
        )
    ).scalar_one()
    return YouSaidMail(
        page_url=base_url() + you_said_public_path(questionnaire_id),
        heard=notice.heard,
        doing=notice.doing,
        findings=tuple(findings(rnd, notice)),
        threshold=rnd.threshold,
    )
