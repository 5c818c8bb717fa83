"""A whole round's audit trail and contact export hold nothing about who answered (issue 16).

An insider's attack: run a real round (invitations mailed to a real SMTP server, people
answering through the respondent pages, the release, reminders, comments hidden and shown, the
close, retention), then read every way the audit trail comes out (the round's page and CSV, the
organisation's CSV, the rows themselves) and the contact export, looking for any invitation id,
token, token hash, response id, comment id or contact's address, and for a reminder per person.
"""

from __future__ import annotations

import random
import re
import uuid
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.invitations.common import audience_labels
from app.mail import outbox
from app.models import AuditEntry, Comment, FeedbackRound, Invitation, Organisation, Response, User
from app.services import reminders, retention
from app.services.accounts import get_or_create_organisation
from app.services.contacts import ContactRow, add_contacts
from app.services.launch import launch
from app.services.mix import release_waiting
from app.services.responding import clear_shape_cache, today
from app.services.rounds import RoundSettings, create_round
from app.services.tokens import token_hash
from tests.app.respond.helpers import Browser, hidden_fields, page_fields
from tests.smtp import SmtpServer, text_part
from tests.support import csrf_token

LINK = re.compile(r"https?://[^\s\"<>]+/r/([A-Za-z0-9_\-]{43})")
K = 3
INVITED = {"staff": 6, "parents": 6}
ANSWERING = {"staff": 4, "parents": 3}


def _launch(app: Flask) -> uuid.UUID:
    with app.app_context():
        org = get_or_create_organisation("Org A")
        rnd = create_round(
            org,
            RoundSettings(
                name="Audited round",
                framework_id="hmie-children-services",
                indicator_ids=["2.1"],
                audiences=list(INVITED),
                opens_on=today() - timedelta(days=1),
                closes_on=today() + timedelta(days=20),
                threshold=K,
                free_text=True,
            ),
        )
        for audience, n in INVITED.items():
            rows = [
                ContactRow(i, f"{audience}.{i}@people.example", f"Named {audience} {i}")
                for i in range(2, 2 + n)
            ]
            add_contacts(rnd, audience, rows)
        launch(rnd, secret=app.config["SECRET_KEY"], labels=audience_labels(rnd), today=today())
        db.session.commit()
        return rnd.id


def _answer(app: Flask, token: str, rng: random.Random, note: str) -> None:
    phone = Browser(app.test_client())
    phone.enter(f"/r/{token}")
    phone.start()
    for _ in range(100):
        fields = page_fields(phone.html)
        data = {k: v for k, v in hidden_fields(phone.html).items() if k != "csrf_token"}
        for name, options in fields["radios"].items():
            data[name] = rng.choice(options)
        for name in fields["texts"]:
            data[name] = f"{note} says the letters are clear"
        sending = "/send" in phone.form_action()
        data["nav"] = "send" if sending else "next"
        response = phone.post(phone.form_action(), data)
        assert response.status_code == 303, phone.text[:500]
        phone.follow(response)
        if sending:
            return
    raise AssertionError("the questionnaire never ended")


def test_a_whole_round_s_audit_trail_and_contact_export_name_nobody(
    app: Flask, client: FlaskClient, coordinator: User, smtp: SmtpServer
) -> None:
    clear_shape_cache()
    rng = random.Random(16)
    round_id = _launch(app)
    with app.app_context():
        outbox.drain("audit-test")
    mails = smtp.wait_for(sum(INVITED.values()))
    tokens = {m["To"]: LINK.findall(text_part(m))[0] for m in mails}
    for audience, n in ANSWERING.items():
        for i in range(2, 2 + n):
            _answer(app, tokens[f"{audience}.{i}@people.example"], rng, f"{audience}{i}")
    with app.app_context():
        release_waiting(round_id)

    export = f"/rounds/{round_id}/invitations.csv"
    contacts_before = client.get(export).get_data(as_text=True)

    # Reminders (by a coordinator), then a comment hidden and shown again, then the close.
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        user = db.session.get(User, coordinator.id)
        assert rnd is not None
        db.session.execute(
            Invitation.__table__.update()
            .where(Invitation.round_id == round_id)
            .values(last_messaged_on=today() - timedelta(days=5))
        )
        reminded = reminders.queue_reminders(rnd, today(), actor=user)
        db.session.commit()
        outbox.drain("audit-test")
        comment_id = (
            db.session.execute(select(Comment.id).where(Comment.round_id == round_id))
            .scalars()
            .first()
        )
    assert reminded == 5  # 2 staff and 3 parents have not answered
    smtp.wait_for(sum(INVITED.values()) + reminded)
    assert comment_id is not None
    token = csrf_token(client, f"/results/{round_id}")
    for verb in ("hide", "show"):
        response = client.post(
            f"/results/{round_id}/comments/{comment_id}/{verb}",
            data={"csrf_token": token, "indicator_id": "2.1"},
        )
        assert response.status_code in (200, 303)
    closed = client.post(f"/results/{round_id}/close", data={"csrf_token": token})
    assert closed.status_code == 303
    contacts_after = client.get(export).get_data(as_text=True)
    with app.app_context():
        retention.run(on=today() + timedelta(days=60))
        db.session.commit()

    # Everything that could pick a person out.
    with app.app_context():
        invitations = list(
            db.session.execute(select(Invitation).where(Invitation.round_id == round_id)).scalars()
        )
        responses = list(
            db.session.execute(select(Response.id).where(Response.round_id == round_id)).scalars()
        )
        comments = list(
            db.session.execute(select(Comment.id).where(Comment.round_id == round_id)).scalars()
        )
        org_id = db.session.execute(
            select(Organisation.id).where(Organisation.name == "Org A")
        ).scalar_one()
        rows = list(
            db.session.execute(
                select(AuditEntry).where(AuditEntry.organisation_id == org_id)
            ).scalars()
        )
    assert len(responses) == sum(ANSWERING.values())
    secrets: set[str] = set()
    for invitation in invitations:
        secrets |= {str(invitation.id), invitation.id.hex, invitation.token_hash}
    for value in (*responses, *comments):
        secrets |= {str(value), value.hex}
    secrets |= set(tokens.values()) | {token_hash(t) for t in tokens.values()}
    addresses = set(tokens)
    names = {f"Named {a} {i}" for a, n in INVITED.items() for i in range(2, 2 + n)}

    outputs = {
        "round page": client.get(f"/rounds/{round_id}/audit").get_data(as_text=True),
        "round csv": client.get(f"/rounds/{round_id}/audit.csv").get_data(as_text=True),
        "organisation csv": client.get("/audit.csv").get_data(as_text=True),
        "rows": "\n".join(
            f"{e.action} {e.object_type} {e.object_id} {e.summary} {e.details}" for e in rows
        ),
    }
    actions = [e.action for e in rows]
    assert {"reminders.sent", "comment.hidden", "comment.shown", "retention.erased"} <= set(
        actions
    ), actions
    for where, text in outputs.items():
        lowered = text.lower()
        for secret in secrets:
            assert secret.lower() not in lowered, f"{secret} in the audit {where}"
        for person in addresses | names:
            assert person.lower() not in lowered, f"{person} in the audit {where}"
    # Reminders: one entry for the one sending, counts per audience only where at least k and
    # shown (staff: 2 to remind, under k, so no number for staff at all).
    (sent,) = [e for e in rows if e.action == "reminders.sent"]
    assert actions.count("reminders.sent") == 1
    assert sent.details == {"reminded_parents": 3}
    assert sent.summary.startswith("Reminders sent: Parents") and "Staff" not in sent.summary
    assert "2" not in sent.summary

    for where, text in (("before", contacts_before), ("after", contacts_after)):
        for secret in secrets:
            assert secret.lower() not in text.lower(), f"{secret} in the contact export {where}"
    # The contact list's states cover the first invitation only: reminding five people left it
    # exactly as it was, so it cannot tell who had not answered.
    assert contacts_after == contacts_before
    assert "remind" not in contacts_after.lower()
