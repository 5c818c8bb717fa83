"""'You said, we did': its QR poster, and the optional email to everyone who was invited.

The email goes through the outbox and the mail worker to a real SMTP server (tests/smtp.py):
to everyone invited whether they answered or not, never to those who opted out or whose
address bounced, once, and only while the round's retention keeps the addresses. An attacker
who answered and one who did not get the same email, and nothing in it is about a group
under k.
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import (
    AuditEntry,
    DeliveryStatus,
    FeedbackRound,
    InvitationStatus,
    MessageKind,
    OutboxMessage,
    Questionnaire,
    Role,
)
from app.services import retention
from app.services.results import close_round, round_results
from app.services.synthetic import answers_from_counts, insert_responses, items_of
from tests.app.invitations.builders import launched_round, set_invitation, today, work
from tests.app.invitations.conftest import smtp  # noqa: F401
from tests.smtp import SmtpServer, text_part
from tests.support import csrf_token, login

INVITED = {"parents": 6, "staff": 6, "children": 3}
ANSWERS = {
    "parents": {"a": 5, "d": 1},
    "staff": {"sa": 3, "a": 3},
    "children": {"sad": 3},  # under k = 5: never shown
}
SUBJECT = "You said, we did"


def _round(app: Flask) -> uuid.UUID:
    """Launched, invitations sent, some answered, one opted out, one bounced, then closed."""
    round_id = launched_round(app, INVITED)
    work(app)  # the invitations go out
    with app.app_context():
        rnd = db.session.get_one(FeedbackRound, round_id)
        for audience, counts in ANSWERS.items():
            insert_responses(rnd, audience, answers_from_counts(items_of(rnd, audience), counts))
        db.session.commit()
    set_invitation(app, "parents1@example.org", status=InvitationStatus.COMPLETED)
    set_invitation(app, "staff1@example.org", status=InvitationStatus.COMPLETED)
    set_invitation(app, "parents0@example.org", status=InvitationStatus.OPTED_OUT)
    set_invitation(app, "staff0@example.org", delivery=DeliveryStatus.BOUNCED)
    with app.app_context():
        close_round(db.session.get_one(FeedbackRound, round_id))
        db.session.commit()
    return round_id


def _publish(client: FlaskClient, round_id: uuid.UUID) -> None:
    saved = client.post(
        f"/results/{round_id}/you-said-we-did",
        data={
            "csrf_token": csrf_token(client),
            "heard": "HEARD-TEXT",
            "doing": "DOING-TEXT",
            "indicator_ids": ["2.1", "2.2"],
            "published": "yes",
        },
    )
    assert saved.status_code == 303


def _email(client: FlaskClient, round_id: uuid.UUID, confirm: str = "yes") -> str:
    sent = client.post(
        f"/results/{round_id}/you-said-we-did/email",
        data={"csrf_token": csrf_token(client), "confirm": confirm},
    )
    assert sent.status_code == 303
    return client.get(f"/results/{round_id}/you-said-we-did").get_data(as_text=True)


def _you_said_rows(app: Flask, round_id: uuid.UUID) -> list[OutboxMessage]:
    with app.app_context():
        return list(
            db.session.execute(
                select(OutboxMessage).where(
                    OutboxMessage.round_id == round_id,
                    OutboxMessage.kind == MessageKind.YOU_SAID,
                )
            ).scalars()
        )


def _same_for_everyone(body: str) -> str:
    """The body without what differs per person by design: the greeting and opt-out link."""
    body = re.sub(r"/unsubscribe/\S+", "/unsubscribe/TOKEN", body)
    return re.sub(r"Dear [^,]+,", "Dear NAME,", body)


def test_everyone_invited_gets_it_answered_or_not_but_not_opted_out_or_bounced(
    app: Flask,
    smtp: SmtpServer,  # noqa: F811
    client: FlaskClient,
    coordinator: Any,
) -> None:
    round_id = _round(app)
    invitations_sent = len(smtp.messages)
    _publish(client, round_id)
    page = _email(client, round_id)
    expected = {
        f"{audience}{n}@example.org" for audience, count in INVITED.items() for n in range(count)
    } - {"parents0@example.org", "staff0@example.org"}
    assert f"Emailing {len(expected)} people" in page

    report = work(app)
    assert report.sent == len(expected), report
    smtp.wait_for(invitations_sent + len(expected))
    emails = [m for m in smtp.messages if m["Subject"].strip().startswith(SUBJECT)]
    assert {m["To"] for m in emails} == expected  # parents1 and staff1 answered; the rest not
    assert len(emails) == len(expected)

    with app.app_context():
        results = round_results(db.session.get_one(FeedbackRound, round_id))
        questionnaires = {
            q.audience: q.id
            for q in db.session.execute(
                select(Questionnaire).where(Questionnaire.round_id == round_id)
            ).scalars()
        }
        audit = db.session.execute(
            select(AuditEntry).where(AuditEntry.action == "notice.emailed")
        ).scalar_one()
    assert audit.details == {"count": len(expected)}  # a count, no address
    shown = {
        cell.evidence
        for indicator in results.indicators
        for cell in indicator.cells.values()
        if cell.shown
    }
    children = [i.cells["children"] for i in results.indicators if "children" in i.cells]
    assert children and all(not cell.shown for cell in children)
    for message in emails:
        body = text_part(message)
        audience = re.sub(r"\d+@.*", "", message["To"])
        assert "HEARD-TEXT" in body and "DOING-TEXT" in body
        assert f"/q/{questionnaires[audience]}/you-said-we-did" in body
        listed = {line[2:] for line in body.splitlines() if line.startswith("- ")}
        assert listed == shown  # exactly the shown groups' sentences, as on the public page
        assert "Children and young people" not in body  # a group under k: nothing at all
        assert "/r/" not in body  # no way back into the closed questionnaire

    # Who answered cannot be told from the email: parents1 answered, parents3 did not.
    by_address = {m["To"]: _same_for_everyone(text_part(m)) for m in emails}
    assert by_address["parents1@example.org"] == by_address["parents3@example.org"]
    assert by_address["staff1@example.org"] == by_address["staff4@example.org"]

    # Once only.
    again = _email(client, round_id)
    assert "It was emailed on" in again and f"to {len(expected)} people" in again
    assert len(_you_said_rows(app, round_id)) == len(expected)


def test_refused_with_a_reason_once_the_addresses_are_erased_or_before_publishing(
    app: Flask,
    smtp: SmtpServer,  # noqa: F811
    client: FlaskClient,
    coordinator: Any,
) -> None:
    round_id = _round(app)
    page = _email(client, round_id)
    assert "Publish the page first" in page
    _publish(client, round_id)
    assert "Tick the box to confirm" in _email(client, round_id, confirm="")
    with app.app_context():
        retention.run(on=today() + timedelta(days=400))
        db.session.commit()
    page = _email(client, round_id)
    assert "email addresses were erased on" in page and "can no longer be sent" in page
    assert _you_said_rows(app, round_id) == []


def test_only_coordinators_send_it(
    app: Flask,
    smtp: SmtpServer,  # noqa: F811
    client: FlaskClient,
    coordinator: Any,
    make_user: Any,
) -> None:
    round_id = _round(app)
    _publish(client, round_id)
    make_user("viewer@a.example", "Org A", Role.VIEWER)
    viewer = app.test_client()
    login(viewer, "viewer@a.example")
    refused = viewer.post(
        f"/results/{round_id}/you-said-we-did/email",
        data={"csrf_token": csrf_token(viewer), "confirm": "yes"},
    )
    assert refused.status_code == 403
    assert _you_said_rows(app, round_id) == []


def test_the_poster_has_a_qr_code_of_each_audiences_public_page(
    app: Flask,
    smtp: SmtpServer,  # noqa: F811
    client: FlaskClient,
    coordinator: Any,
) -> None:
    round_id = _round(app)
    poster = f"/results/{round_id}/you-said-we-did/poster?audience=parents"
    assert client.get(poster).status_code == 404  # not published yet
    _publish(client, round_id)
    with app.app_context():
        parents = db.session.execute(
            select(Questionnaire.id).where(
                Questionnaire.round_id == round_id, Questionnaire.audience == "parents"
            )
        ).scalar_one()
    html = client.get(poster).get_data(as_text=True)
    assert 'class="poster-qr"><svg' in html and "<title>QR code:" in html
    assert f"/q/{parents}/you-said-we-did" in html
    assert "You said, we did" in html and "Spring feedback" in html
    assert client.get(f"{poster[:-7]}nobody").status_code == 404
    page = client.get(f"/results/{round_id}/you-said-we-did").get_data(as_text=True)
    assert f"/results/{round_id}/you-said-we-did/poster?audience=parents" in page


def test_withdrawn_after_queueing_nothing_is_sent(
    app: Flask,
    smtp: SmtpServer,  # noqa: F811
    client: FlaskClient,
    coordinator: Any,
) -> None:
    round_id = _round(app)
    before = len(smtp.messages)
    _publish(client, round_id)
    _email(client, round_id)
    assert _you_said_rows(app, round_id)
    withdrawn = client.post(
        f"/results/{round_id}/you-said-we-did",
        data={"csrf_token": csrf_token(client), "heard": "HEARD-TEXT", "doing": ""},
    )
    assert withdrawn.status_code == 303
    report = work(app)
    assert report.sent == 0 and report.dropped == sum(INVITED.values()) - 2
    assert len(smtp.messages) == before and _you_said_rows(app, round_id) == []
