"""A round's own email audience (issue 22) is invited and reminded like any other, over a real
SMTP server: the invitation speaks of them in their own words, reminders reach only those who
have not answered, and the dashboard counts them as a group of their own."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from app.extensions import db
from app.models import FeedbackRound, Invitation, MessageKind
from app.services import reminders, round_audiences
from tests.app.invitations.builders import (
    add_contacts,
    complete,
    do_launch,
    invitation_by_email,
    make_round,
    messages,
    today,
    work,
)
from tests.smtp import SmtpServer, text_part
from tests.support import login

ELECTED = "c-elected-members"


def test_elected_members_are_invited_and_reminded(
    app: Flask, smtp: SmtpServer, client: FlaskClient, make_user
) -> None:
    round_id = make_round(app, audiences=("parents",))
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        round_audiences.add_audience(
            rnd,
            name="Elected members",
            plural="councillors",
            scale="agree4",
            email=True,
            open_link=False,
            resembles="parents",
        )
        db.session.commit()
    emails = [f"member{n}@council.example" for n in range(3)]
    add_contacts(app, round_id, ELECTED, emails)
    result = do_launch(app, round_id)
    assert (result.invitations, result.open_links) == (3, 1)  # the parents' link only
    work(app)
    sent = smtp.wait_for(3)
    assert sorted(str(m["To"]) for m in sent) == emails
    assert all("is asking councillors what they think" in text_part(m) for m in sent)

    smtp.handler.clear()
    complete(app, invitation_by_email(app, emails[0]).id)
    with app.app_context():
        db.session.execute(
            update(Invitation)
            .where(Invitation.round_id == round_id)
            .values(last_messaged_on=today() - timedelta(days=5))
        )
        rnd = db.session.get(FeedbackRound, round_id)
        assert reminders.queue_reminders(rnd, today()) == 2
        db.session.commit()
    reminded = [m for m in messages(app, round_id) if m.kind == MessageKind.REMINDER]
    assert sorted(m.to_address for m in reminded) == emails[1:]
    work(app)
    assert sorted(str(m["To"]) for m in smtp.wait_for(2)) == emails[1:]

    make_user("coord@a.example")
    login(client, "coord@a.example")
    dashboard = client.get(f"/rounds/{round_id}/responses").get_data(as_text=True)
    assert "Elected members" in dashboard


def test_a_welsh_invitation_names_them_in_welsh(app: Flask, smtp: SmtpServer) -> None:
    from app.invitations.common import audience_labels
    from app.services import translations

    round_id = make_round(app, audiences=("parents",))
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        rnd.languages = ["en", "cy"]
        round_audiences.add_audience(
            rnd,
            name="Elected members",
            plural="elected members",
            scale="agree4",
            email=True,
            open_link=True,
            resembles="parents",
        )
        cells = {
            (p.audience, p.kind, p.key, "cy"): f"[cy] {p.english}"
            for p in translations.parts(rnd, audience_labels(rnd))
        }
        cells[(ELECTED, translations.AUDIENCE, "plural", "cy")] = "aelodau etholedig"
        translations.store(rnd, cells)
        db.session.commit()
    add_contacts(app, round_id, ELECTED, ["member@council.example"])
    do_launch(app, round_id)
    work(app)
    (sent,) = smtp.wait_for(1)
    body = text_part(sent)
    assert "aelodau etholedig" in body  # the Welsh half
    assert "is asking elected members what they think" in body  # and the English
