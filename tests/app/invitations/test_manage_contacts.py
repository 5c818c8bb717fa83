"""Contacts beyond the first import (issue 16): correct a pasted list, edit and remove before
launch, late contacts after it, exports with the invitation state only, copies with contacts,
and an audit trail of counts, never addresses."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select, update

from app.extensions import db
from app.models import AuditEntry, Contact, Invitation, InvitationStatus, OutboxMessage
from tests.app.invitations.builders import (
    add_contacts,
    complete,
    do_launch,
    invitation_by_email,
    invitations,
    make_round,
    messages,
    today,
    work,
)
from tests.smtp import SmtpServer
from tests.support import csrf_token


def post(client: FlaskClient, url: str, **data: Any) -> Any:
    return client.post(url, data={"csrf_token": csrf_token(client, "/"), **data})


def contacts(app: Flask, round_id: uuid.UUID) -> list[tuple[str, str, str]]:
    with app.app_context():
        return [
            tuple(r)
            for r in db.session.execute(
                select(Contact.email, Contact.name, Contact.audience)
                .where(Contact.round_id == round_id)
                .order_by(Contact.email)
            )
        ]


def audit_text(app: Flask) -> str:
    with app.app_context():
        rows = db.session.execute(select(AuditEntry)).scalars()
        return " ".join(f"{r.action} {r.summary} {r.details} {r.object_id}" for r in rows)


def test_a_pasted_list_with_a_mistake_comes_back_for_correction(
    app: Flask, client: FlaskClient, coordinator: Any
) -> None:
    round_id = make_round(app)
    pasted = "good@example.org\nnot-an-address\nalso.good@example.org"
    response = post(
        client, f"/rounds/{round_id}/contacts/paste", audience="parents", addresses=pasted
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "not-an-address" in html and ">good@example.org\nnot-an-address" in html
    assert contacts(app, round_id) == []
    fixed = pasted.replace("not-an-address", "fixed@example.org")
    again = post(client, f"/rounds/{round_id}/contacts/paste", audience="parents", addresses=fixed)
    assert again.status_code == 303 and len(contacts(app, round_id)) == 3
    assert "contacts.imported" in audit_text(app) and "good@example.org" not in audit_text(app)


def test_edit_a_contact_before_launch(app: Flask, client: FlaskClient, coordinator: Any) -> None:
    round_id = make_round(app)
    add_contacts(app, round_id, "parents", ["a@example.org", "b@example.org"])
    with app.app_context():
        contact_id = db.session.execute(
            select(Contact.id).where(Contact.email == "a@example.org")
        ).scalar_one()
    url = f"/rounds/{round_id}/contacts/{contact_id}/edit"
    assert client.get(url).status_code == 200
    for bad, message in (
        ({"email": "nope", "audience": "parents"}, "not a valid email address"),
        ({"email": "b@example.org", "audience": "parents"}, "already a contact"),
        ({"email": "c@example.org", "audience": "martians"}, "Choose who this contact is"),
    ):
        refused = post(client, url, name="", **bad)
        assert refused.status_code == 422 and message in refused.get_data(as_text=True)
    assert contacts(app, round_id)[0] == ("a@example.org", "Person 2", "parents")
    ok = post(client, url, email="amy@example.org", name="Amy Pond", audience="staff")
    assert ok.status_code == 303
    assert ("amy@example.org", "Amy Pond", "staff") in contacts(app, round_id)
    assert "contacts.edited" in audit_text(app) and "amy@" not in audit_text(app)


def test_late_contacts_of_an_open_round_are_invited_at_once(
    app: Flask, client: FlaskClient, coordinator: Any, smtp: SmtpServer
) -> None:
    round_id = make_round(app)  # opened yesterday
    add_contacts(app, round_id, "parents", ["a@example.org"])
    do_launch(app, round_id)
    work(app)
    smtp.wait_for(1)
    bad = post(
        client,
        f"/rounds/{round_id}/invitations/add",
        audience="parents",
        addresses="late@example.org\na@example.org",
    )
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "already a contact" in html and "late@example.org\na@example.org</textarea>" in html
    assert len(invitations(app, round_id)) == 1
    ok = post(
        client,
        f"/rounds/{round_id}/invitations/add",
        audience="parents",
        addresses="late@example.org",
    )
    assert ok.status_code == 303
    late = [m for m in messages(app, round_id) if m.to_address == "late@example.org"]
    assert len(late) == 1 and late[0].next_attempt_at is None  # due now
    assert work(app).sent == 1
    assert smtp.wait_for(2)[1]["To"] == "late@example.org"
    assert "contacts.added" in audit_text(app) and "late@" not in audit_text(app)


def test_late_contacts_of_a_scheduled_round_wait_for_the_opening_day(
    app: Flask, client: FlaskClient, coordinator: Any
) -> None:
    round_id = make_round(
        app, opens_on=today() + timedelta(days=4), closes_on=today() + timedelta(days=20)
    )
    do_launch(app, round_id)
    ok = post(
        client, f"/rounds/{round_id}/invitations/add", audience="staff", addresses="s@example.org"
    )
    assert ok.status_code == 303
    [message] = messages(app, round_id)
    assert message.next_attempt_at is not None
    assert work(app).sent == 0


def test_exports_hold_the_invitation_state_and_never_who_answered(
    app: Flask, client: FlaskClient, coordinator: Any, no_smtp: None
) -> None:
    round_id = make_round(app)
    people = ["answered@example.org", "bounced@example.org", "optout@example.org"]
    add_contacts(app, round_id, "parents", people)
    do_launch(app, round_id)
    with app.app_context():
        db.session.execute(
            update(Invitation)
            .where(Invitation.email == "optout@example.org")
            .values(status=InvitationStatus.OPTED_OUT)
        )
        db.session.execute(
            update(Invitation)
            .where(Invitation.email == "bounced@example.org")
            .values(delivery="failed")
        )
        db.session.commit()
    complete(app, invitation_by_email(app, "answered@example.org").id)
    csv_rows = list(
        csv.reader(
            io.StringIO(
                client.get(f"/rounds/{round_id}/invitations.csv")
                .get_data(as_text=True)
                .lstrip("\ufeff")
            )
        )
    )
    response = client.get(f"/rounds/{round_id}/invitations.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data), read_only=True)["Invitations"]
    xlsx_rows = [[str(c or "") for c in row] for row in sheet.iter_rows(values_only=True)]
    for rows in (csv_rows, xlsx_rows):
        assert (
            rows[0] == ["email", "name", "audience", "invitation email"] or rows[0][3] == "delivery"
        )
        states = {r[0]: r[3] for r in rows[1:]}
        assert states["bounced@example.org"] == "Not delivered"
        assert states["optout@example.org"] == "Opted out"
        # The person who answered reads exactly like anyone else still waiting: no "completed".
        assert states["answered@example.org"] == "Waiting to send"
        flat = " ".join(" ".join(r) for r in rows).lower()
        assert "complet" not in flat and "answered " not in flat and "remind" not in flat
        with app.app_context():
            hashes = db.session.execute(select(Invitation.token_hash, Invitation.id)).all()
        for token_hash, invitation_id in hashes:
            assert token_hash not in flat and str(invitation_id) not in flat
    text = audit_text(app)
    assert text.count("contacts.exported") == 2 and "@example.org" not in text


def test_a_drafts_contacts_download_as_csv_and_excel_without_any_state(
    app: Flask, client: FlaskClient, coordinator: Any
) -> None:
    round_id = make_round(app)
    add_contacts(app, round_id, "parents", ["b@example.org", "=cmd@example.org"])
    add_contacts(app, round_id, "staff", ["a@example.org"])
    with app.app_context():
        db.session.execute(
            update(Contact).where(Contact.email == "a@example.org").values(language="cy")
        )
        db.session.commit()
    page = client.get(f"/rounds/{round_id}/contacts").get_data(as_text=True)
    assert f"/rounds/{round_id}/invitations.csv" in page
    got = client.get(f"/rounds/{round_id}/invitations.csv")
    assert got.status_code == 200 and got.headers["Cache-Control"] == "no-store"
    assert 'filename="contacts-spring-feedback.csv"' in got.headers["Content-Disposition"]
    csv_rows = list(csv.reader(io.StringIO(got.get_data(as_text=True).lstrip("\ufeff"))))
    book = client.get(f"/rounds/{round_id}/invitations.xlsx")
    assert book.status_code == 200
    assert 'filename="contacts-spring-feedback.xlsx"' in book.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(book.data), read_only=True)["Contacts"]
    xlsx_rows = [[str(c or "") for c in row] for row in sheet.iter_rows(values_only=True)]
    for rows in (csv_rows, xlsx_rows):
        assert rows[0] == ["email", "name", "audience", "language"]
        assert [(r[0], r[2], r[3]) for r in rows[1:]] == [
            ("'=cmd@example.org", "Parents and carers", ""),  # never run as a formula
            ("b@example.org", "Parents and carers", ""),
            ("a@example.org", "Staff", "Welsh"),
        ]
        flat = " ".join(" ".join(r) for r in rows).lower()
        assert "waiting" not in flat and "delivered" not in flat and "opted" not in flat
    with app.app_context():
        entries = db.session.execute(
            select(AuditEntry).where(AuditEntry.action == "contacts.exported")
        ).scalars()
        assert sorted(
            (e.details["format"], e.details["draft"], e.details["rows"]) for e in entries
        ) == [
            ("csv", True, 3),
            ("xlsx", True, 3),
        ]
    assert "@example.org" not in audit_text(app)
    with app.app_context():
        assert len(db.session.execute(select(Contact)).all()) == 3  # a download changes nothing


def test_copy_a_round_with_its_contacts_when_asked(
    app: Flask, client: FlaskClient, coordinator: Any
) -> None:
    round_id = make_round(app)
    add_contacts(app, round_id, "parents", ["a@example.org", "b@example.org"])
    do_launch(app, round_id)
    with app.app_context():
        db.session.execute(
            update(Invitation)
            .where(Invitation.email == "b@example.org")
            .values(status=InvitationStatus.OPTED_OUT)
        )
        db.session.commit()
    plain = post(client, f"/rounds/{round_id}/copy", name="No contacts")
    asked = post(client, f"/rounds/{round_id}/copy", name="With contacts", with_contacts="1")
    assert plain.status_code == asked.status_code == 303
    plain_id = uuid.UUID(plain.headers["Location"].rsplit("/", 1)[1])
    asked_id = uuid.UUID(asked.headers["Location"].rsplit("/", 1)[1])
    assert contacts(app, plain_id) == []
    assert contacts(app, asked_id) == [("a@example.org", "Person 2", "parents")]  # not the opt-out
    with app.app_context():
        assert (
            db.session.execute(
                select(OutboxMessage).where(OutboxMessage.round_id == asked_id)
            ).first()
            is None
        )
    assert "round.copied" in audit_text(app)
