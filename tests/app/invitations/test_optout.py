"""Opting out from the link in the email: confirm page, one-click, and no more emails."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from app.extensions import db
from app.models import FeedbackRound, Invitation, InvitationStatus, MessageKind
from app.services import reminders
from tests.app.invitations.builders import (
    complete,
    invitation_by_email,
    launched_round,
    messages,
    today,
    work,
)
from tests.app.invitations.test_outbox import OPT_OUT
from tests.smtp import SmtpServer, text_part


def _opt_out_path(smtp: SmtpServer, to: str) -> str:
    message = next(m for m in smtp.messages if m["To"] == to)
    (token,) = set(OPT_OUT.findall(text_part(message)))
    return f"/unsubscribe/{token}"


def _queue_reminders(app: Flask, round_id) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        db.session.execute(
            update(Invitation)
            .where(Invitation.round_id == round_id)
            .values(last_messaged_on=today() - timedelta(days=10))
        )
        rnd = db.session.get(FeedbackRound, round_id)
        n = reminders.queue_reminders(rnd, today())
        db.session.commit()
        return n


def test_opting_out_from_the_email_stops_reminders(
    app: Flask, smtp: SmtpServer, client: FlaskClient
) -> None:
    round_id = launched_round(app, {"parents": 2})
    work(app)
    smtp.wait_for(2)
    path = _opt_out_path(smtp, "parents0@example.org")

    page = client.get(path)
    html = page.get_data(as_text=True)
    assert page.status_code == 200  # public: no sign-in
    assert "Stop emails about this feedback round?" in html and "Spring feedback" in html
    assert invitation_by_email(app, "parents0@example.org").status == InvitationStatus.PENDING

    response = client.post(path, data={"csrf_token": "ignored"})
    assert response.status_code == 303 and response.headers["Location"] == "/unsubscribe/done"
    assert "You have opted out" in client.get("/unsubscribe/done").get_data(as_text=True)
    assert invitation_by_email(app, "parents0@example.org").status == InvitationStatus.OPTED_OUT
    assert "already opted out" in client.get(path).get_data(as_text=True)

    assert _queue_reminders(app, round_id) == 1
    work(app)
    reminder = smtp.wait_for(3)[2]
    assert reminder["To"] == "parents1@example.org"


def test_one_click_unsubscribe_from_a_mail_program_needs_no_form(
    app: Flask, smtp: SmtpServer, client: FlaskClient
) -> None:
    launched_round(app, {"staff": 1})
    work(app)
    (message,) = smtp.wait_for(1)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = message["List-Unsubscribe"].strip().strip("<>")
    path = url[url.index("/unsubscribe/") :]
    response = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 303
    assert invitation_by_email(app, "staff0@example.org").status == InvitationStatus.OPTED_OUT


def test_opting_out_removes_a_waiting_reminder(app: Flask, smtp: SmtpServer, client) -> None:  # type: ignore[no-untyped-def]
    round_id = launched_round(app, {"staff": 1})
    work(app)
    smtp.wait_for(1)
    assert _queue_reminders(app, round_id) == 1
    client.post(_opt_out_path(smtp, "staff0@example.org"))
    assert [m.kind for m in messages(app, round_id)] == [MessageKind.INVITATION]
    assert work(app).sent == 0


def test_after_answering_opting_out_looks_the_same_and_keeps_the_answer(
    app: Flask, smtp: SmtpServer, client: FlaskClient
) -> None:
    launched_round(app, {"staff": 2})
    work(app)
    smtp.wait_for(2)
    complete(app, invitation_by_email(app, "staff0@example.org").id)
    answered = client.get(_opt_out_path(smtp, "staff0@example.org")).get_data(as_text=True)
    pending = client.get(_opt_out_path(smtp, "staff1@example.org")).get_data(as_text=True)

    # The same page either way: only the form's own address and the CSRF token differ.
    def normalised(html: str) -> str:
        for who in ("staff0", "staff1"):
            html = html.replace(_opt_out_path(smtp, f"{who}@example.org"), "X")
        return re.sub(r'content="[^"]+"|value="[^"]+"', "", html)

    assert normalised(answered) == normalised(pending)
    client.post(_opt_out_path(smtp, "staff0@example.org"))
    assert invitation_by_email(app, "staff0@example.org").status == InvitationStatus.COMPLETED


@pytest.mark.parametrize("token", ["x" * 43, "short", "a" * 200])
def test_an_unknown_link_gets_a_friendly_404(client: FlaskClient, token: str) -> None:
    response = client.get(f"/unsubscribe/{token}")
    assert response.status_code == 404
    assert "This unsubscribe link is not valid" in response.get_data(as_text=True)
    assert client.post(f"/unsubscribe/{token}").status_code == 404


def test_the_token_in_the_address_never_reaches_the_access_log(
    app: Flask, smtp: SmtpServer, client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    from app.security import redact

    launched_round(app, {"staff": 1})
    work(app)
    path = _opt_out_path(smtp, "staff0@example.org")
    token = path.rsplit("/", 1)[1]
    assert token not in redact(f'"GET {path} HTTP/1.1" 200')
    logger = logging.getLogger("werkzeug")
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        logger.info('127.0.0.1 - - "POST %s HTTP/1.1" 303 -', path)
    assert token not in caplog.text and "/unsubscribe/[redacted]" in caplog.text
