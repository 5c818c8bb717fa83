"""Bounces: a mail server's permanent refusal of an address at send (issue 16).

The real SMTP server (aiosmtpd on loopback) answers 550 at RCPT for a chosen address.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from app.extensions import db
from app.models import DeliveryStatus, Invitation, MessageKind, MessageStatus, User
from app.services import reminders
from tests.app.invitations.builders import (
    invitation_by_email,
    launched_round,
    messages,
    today,
    work,
)
from tests.smtp import SmtpServer


def _age(app: Flask, round_id: object, days: int) -> None:
    with app.app_context():
        db.session.execute(
            update(Invitation)
            .where(Invitation.round_id == round_id)
            .values(last_messaged_on=today() - timedelta(days=days))
        )
        db.session.commit()


def _queue_reminders(app: Flask, round_id: object) -> int:
    from app.models import FeedbackRound

    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        n = reminders.queue_reminders(rnd, today())
        db.session.commit()
        return n


def test_a_550_marks_the_invitation_bounced_shown_on_the_list_and_skipped_by_reminders(
    app: Flask, smtp: SmtpServer, client: FlaskClient, coordinator: User
) -> None:
    round_id = launched_round(app, {"parents": 3})
    smtp.handler.refuse["parents1@example.org"] = "550 5.1.1 No such user here"
    report = work(app)
    assert report.sent == 2 and report.failed == 1
    smtp.wait_for(2)
    assert invitation_by_email(app, "parents1@example.org").delivery == DeliveryStatus.BOUNCED
    assert invitation_by_email(app, "parents0@example.org").delivery == DeliveryStatus.SENT

    page = client.get(f"/rounds/{round_id}/invitations?delivery=bounced").get_data(as_text=True)
    assert "parents1@example.org" in page and "Bounced (address refused)" in page
    assert "parents0@example.org" not in page

    _age(app, round_id, 5)
    assert _queue_reminders(app, round_id) == 2
    to = sorted(m.to_address for m in messages(app, round_id) if m.kind == MessageKind.REMINDER)
    assert to == ["parents0@example.org", "parents2@example.org"]


def test_a_temporary_refusal_is_not_a_bounce(app: Flask, smtp: SmtpServer) -> None:
    round_id = launched_round(app, {"parents": 2})
    smtp.handler.refuse["parents1@example.org"] = "450 4.2.1 Mailbox busy, try later"
    work(app)
    smtp.wait_for(1)
    assert invitation_by_email(app, "parents1@example.org").delivery == DeliveryStatus.QUEUED
    (waiting,) = [m for m in messages(app, round_id) if m.status == MessageStatus.QUEUED]
    assert waiting.to_address == "parents1@example.org"


def test_a_reminder_refused_later_leaves_the_per_person_state_alone(
    app: Flask, smtp: SmtpServer
) -> None:
    """A reminder goes only to people who have not answered, so its bounce must not show on
    the contact: the invitation keeps "sent"."""
    round_id = launched_round(app, {"parents": 2})
    work(app)
    smtp.wait_for(2)
    _age(app, round_id, 5)
    assert _queue_reminders(app, round_id) == 2
    smtp.handler.refuse["parents0@example.org"] = "550 5.1.1 Gone"
    report = work(app)
    assert report.failed == 1
    assert invitation_by_email(app, "parents0@example.org").delivery == DeliveryStatus.SENT
