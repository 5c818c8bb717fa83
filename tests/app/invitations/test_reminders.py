"""Reminders: only pending, delivered, not recently messaged; preview, confirm, schedule."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from app.extensions import db
from app.models import (
    DeliveryStatus,
    FeedbackRound,
    InvitationStatus,
    MessageKind,
    MessageStatus,
)
from app.services import reminders
from app.services.tokens import token_hash
from tests.app.invitations.builders import (
    complete,
    invitation_by_email,
    invitations,
    launched_round,
    messages,
    set_invitation,
    today,
    work,
)
from tests.app.invitations.test_outbox import LINK
from tests.smtp import SmtpServer, text_part
from tests.support import csrf_token


def _age_messages(app: Flask, round_id, days: int) -> None:  # type: ignore[no-untyped-def]
    """Pretend the invitations went out `days` ago."""
    from app.models import Invitation

    with app.app_context():
        db.session.execute(
            update(Invitation)
            .where(Invitation.round_id == round_id)
            .values(last_messaged_on=today() - timedelta(days=days))
        )
        db.session.commit()


def _reminders(app: Flask, round_id) -> list:  # type: ignore[no-untyped-def]
    return [m for m in messages(app, round_id) if m.kind == MessageKind.REMINDER]


def _queue_now(app: Flask, round_id) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        n = reminders.queue_reminders(rnd, today())
        db.session.commit()
        return n


def test_reminders_skip_completed_opted_out_failed_and_recent(app: Flask, smtp: SmtpServer) -> None:
    round_id = launched_round(app, {"parents": 6})
    work(app)
    smtp.wait_for(6)
    smtp.handler.clear()
    _age_messages(app, round_id, 5)
    complete(app, invitation_by_email(app, "parents0@example.org").id)
    set_invitation(app, "parents1@example.org", status=InvitationStatus.OPTED_OUT)
    set_invitation(app, "parents2@example.org", delivery=DeliveryStatus.FAILED)
    set_invitation(app, "parents3@example.org", last_messaged_on=today() - timedelta(days=1))

    assert _queue_now(app, round_id) == 2
    assert sorted(m.to_address for m in _reminders(app, round_id)) == [
        "parents4@example.org",
        "parents5@example.org",
    ]
    assert _queue_now(app, round_id) == 0, "a waiting reminder is not queued twice"

    assert work(app).sent == 2
    delivered = smtp.wait_for(2)
    assert all(m["Subject"].startswith("Reminder:") for m in delivered)
    # A reminder reuses the same link: its token hashes to that person's invitation.
    for message in delivered:
        (token,) = set(LINK.findall(text_part(message)))
        assert token_hash(token) == invitation_by_email(app, message["To"]).token_hash
    assert _queue_now(app, round_id) == 0, "just reminded: within the gap"
    # Reminders never change the per-person delivery; only the last-messaged day.
    assert invitation_by_email(app, "parents4@example.org").delivery == DeliveryStatus.SENT
    assert invitation_by_email(app, "parents4@example.org").last_messaged_on == today()


def test_a_reminder_for_someone_who_answered_meanwhile_is_dropped_unsent(
    app: Flask, smtp: SmtpServer
) -> None:
    round_id = launched_round(app, {"staff": 2})
    work(app)
    smtp.wait_for(2)
    smtp.handler.clear()
    _age_messages(app, round_id, 4)
    assert _queue_now(app, round_id) == 2
    complete(app, invitation_by_email(app, "staff0@example.org").id)
    report = work(app)
    assert report.sent == 1 and report.dropped == 1
    assert [m["To"] for m in smtp.wait_for(1)] == ["staff1@example.org"]
    assert [m.to_address for m in _reminders(app, round_id)] == ["staff1@example.org"]


def test_no_reminders_before_delivery_or_outside_the_open_dates(app: Flask, no_smtp) -> None:  # type: ignore[no-untyped-def]
    round_id = launched_round(app, {"parents": 2})
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        preview = reminders.preview(rnd, today())
        assert preview.count == 0 and preview.not_reminded["not_delivered"] == 2
        assert reminders.preview(rnd, rnd.closes_on + timedelta(days=1)).blocked
        assert reminders.preview(rnd, rnd.opens_on - timedelta(days=1)).blocked


def _expected(page: str) -> str:
    found = re.search(r'name="expected" value="([0-9a-f]+)"', page)
    assert found
    return found.group(1)


def test_preview_then_confirm_sends_exactly_the_previewed_number(
    app: Flask,
    smtp: SmtpServer,
    client: FlaskClient,
    coordinator,  # type: ignore[no-untyped-def]
) -> None:
    round_id = launched_round(app, {"parents": 8, "staff": 7})
    work(app)
    _age_messages(app, round_id, 7)
    for n in range(5):
        complete(app, invitation_by_email(app, f"staff{n}@example.org").id)
    page = client.get(f"/rounds/{round_id}/reminders").get_data(as_text=True)
    assert "This will send 10 reminders" in page
    assert "5 already answered" in page
    expected = _expected(page)
    assert expected != "10"  # an opaque check, not the number

    # Someone answers between the preview and the click: the coordinator is told, nothing sent.
    complete(app, invitation_by_email(app, "parents0@example.org").id)
    token = csrf_token(client, "/")
    stale = client.post(
        f"/rounds/{round_id}/reminders/send", data={"csrf_token": token, "expected": expected}
    )
    assert stale.status_code == 422
    assert _reminders(app, round_id) == []
    # parents now has 1 answer (under k): the page no longer shows the numbers at all.
    stale_page = stale.get_data(as_text=True)
    assert "has changed since" in stale_page and "changed to" not in stale_page
    fresh = _expected(stale_page)

    sent = client.post(
        f"/rounds/{round_id}/reminders/send", data={"csrf_token": token, "expected": fresh}
    )
    assert sent.status_code == 303
    assert len(_reminders(app, round_id)) == 9
    again = client.post(
        f"/rounds/{round_id}/reminders/send", data={"csrf_token": token, "expected": fresh}
    )
    assert again.status_code == 422 and len(_reminders(app, round_id)) == 9


def test_a_small_audience_is_not_given_away_by_subtraction(
    app: Flask,
    smtp: SmtpServer,
    client: FlaskClient,
    coordinator,  # type: ignore[no-untyped-def]
) -> None:
    round_id = launched_round(app, {"parents": 8, "staff": 6})
    work(app)
    _age_messages(app, round_id, 7)
    for n in range(4):  # 4 staff answered: staff invited 6 minus 2 to remind would say so
        complete(app, invitation_by_email(app, f"staff{n}@example.org").id)
    for headers in ({}, {"HX-Request": "true"}):
        page = client.get(f"/rounds/{round_id}/reminders", headers=headers).get_data(as_text=True)
        assert "Staff: Fewer than 5" in page
        assert "Parents and carers: Not shown (protects a smaller group)" not in page
        assert "This will send 10" not in page and "Send 10" not in page
        assert "already answered" not in page and "Staff: 2" not in page
    token = csrf_token(client, "/")
    sent = client.post(
        f"/rounds/{round_id}/reminders/send",
        data={"csrf_token": token, "expected": _expected(page)},
    )
    assert sent.status_code == 303 and len(_reminders(app, round_id)) == 10
    flashed = client.get(f"/rounds/{round_id}/responses").get_data(as_text=True)
    assert "10 reminders" not in flashed and "Reminders are being sent" in flashed


def test_the_schedule_reminds_on_its_days_once_and_catches_up(app: Flask, smtp: SmtpServer) -> None:
    round_id = launched_round(app, {"parents": 3})
    work(app)
    smtp.wait_for(3)
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        rnd.reminder_days_before_close = [7, 2]
        rnd.reminder_min_gap_days = 3
        closes = rnd.closes_on
        db.session.commit()
    for n in range(3):
        set_invitation(app, f"parents{n}@example.org", last_messaged_on=closes - timedelta(days=10))
    complete(app, invitation_by_email(app, "parents0@example.org").id)

    def day(d: int) -> datetime:
        return datetime.combine(closes - timedelta(days=d), datetime.min.time(), UTC)

    assert work(app, day(8)).sent == 0  # before the first point
    first = work(app, day(7))
    assert first.sent == 2  # the 7-days-before reminder, not to the one who answered
    assert work(app, day(7)).sent == 0 and work(app, day(6)).sent == 0  # once per point
    assert work(app, day(3)).sent == 0
    assert work(app, day(2)).sent == 2  # the 2-days-before reminder
    assert work(app, day(1)).sent == 0
    assert len(_reminders(app, round_id)) == 4
    assert {m.status for m in _reminders(app, round_id)} == {MessageStatus.SENT}


def test_a_worker_that_missed_the_scheduled_day_catches_up(app: Flask, smtp: SmtpServer) -> None:
    round_id = launched_round(app, {"parents": 1})
    work(app)
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        rnd.reminder_days_before_close = [7]
        closes = rnd.closes_on
        db.session.commit()
    set_invitation(app, "parents0@example.org", last_messaged_on=closes - timedelta(days=12))

    def day(d: int) -> datetime:
        return datetime.combine(closes - timedelta(days=d), datetime.min.time(), UTC)

    # The worker was down 7 and 6 days before the close; it reminds when it is back.
    assert work(app, day(5)).sent == 1
    assert work(app, day(4)).sent == 0
    assert work(app, day(0)).sent == 0


@pytest.mark.parametrize(
    "days, gap, field",
    [("7, x", "3", "reminder_days"), ("0", "3", "reminder_days"), ("7", "0", "reminder_gap")],
)
def test_schedule_settings_are_checked(
    app: Flask,
    client: FlaskClient,
    coordinator,
    days: str,
    gap: str,
    field: str,  # type: ignore[no-untyped-def]
) -> None:
    round_id = launched_round(app, {"parents": 1})
    response = client.post(
        f"/rounds/{round_id}/reminders/schedule",
        data={"csrf_token": csrf_token(client, "/"), "reminder_days": days, "reminder_gap": gap},
    )
    assert response.status_code == 422
    assert f'href="#{field}"' in response.get_data(as_text=True)
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd.reminder_days_before_close == [] and rnd.reminder_min_gap_days == 3


def test_schedule_is_saved(app: Flask, client: FlaskClient, coordinator) -> None:  # type: ignore[no-untyped-def]
    round_id = launched_round(app, {"parents": 1})
    response = client.post(
        f"/rounds/{round_id}/reminders/schedule",
        data={"csrf_token": csrf_token(client, "/"), "reminder_days": "2 7 7", "reminder_gap": "4"},
    )
    assert response.status_code == 303
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd.reminder_days_before_close == [7, 2] and rnd.reminder_min_gap_days == 4
    page = client.get(f"/rounds/{round_id}/reminders").get_data(as_text=True)
    assert "7 days before the close" in page and "2 days before the close" in page
    assert invitations(app, round_id)  # sanity: the round has invitations


def test_a_reminder_sent_after_the_key_rotated_carries_the_working_link(
    app: Flask, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker makes the link with the key that made the first one (SECRET_KEY_FALLBACKS),
    so a reminder after a rotation still opens the person's questionnaire."""
    round_id = launched_round(app, {"parents": 2})
    work(app)
    smtp.wait_for(2)
    smtp.handler.clear()
    old = app.config["SECRET_KEY"]
    monkeypatch.setitem(app.config, "SECRET_KEY", "a-new-secret-key-after-rotation-0001")
    monkeypatch.setitem(app.config, "SECRET_KEY_FALLBACKS", [old])
    _age_messages(app, round_id, 5)
    assert _queue_now(app, round_id) == 2
    assert work(app).sent == 2
    for message in smtp.wait_for(2):
        (token,) = set(LINK.findall(text_part(message)))
        assert token_hash(token) == invitation_by_email(app, message["To"]).token_hash
