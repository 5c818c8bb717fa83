"""The organisation's address book (issue 16): upload with checks, groups reused in rounds."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.models import AddressBookEntry, AuditEntry, Contact, Invitation
from tests.app.invitations.builders import do_launch, make_round, messages
from tests.support import csrf_token

GOOD = "email,name,group\nsam@example.org,Sam Jones,Oak Class\nali@example.org,,Oak Class\n"


def post(client: FlaskClient, url: str, **data: Any) -> Any:
    return client.post(url, data={"csrf_token": csrf_token(client, "/"), **data})


def book(app: Flask) -> int:
    with app.app_context():
        return int(
            db.session.execute(select(func.count()).select_from(AddressBookEntry)).scalar_one()
        )


def test_an_upload_with_broken_rows_adds_nobody_and_says_which(
    app: Flask, client: FlaskClient, coordinator: Any
) -> None:
    broken = (
        GOOD + "not-an-email,X,Oak Class\nkim@example.org,Kim,\nsam@example.org,Sam,Oak Class\n"
    )
    response = post(client, "/rounds/address-book/upload", people=broken)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "3 rows need correcting. Nothing was added." in html
    assert "not a valid email address" in html and "There is no group." in html
    assert "already in Oak Class (row 2)" in html
    assert "not-an-email,X,Oak Class" in html  # the text comes back to correct
    assert book(app) == 0
    no_header = post(client, "/rounds/address-book/upload", people="sam@example.org")
    assert no_header.status_code == 422 and "must name the columns" in no_header.get_data(
        as_text=True
    )
    assert book(app) == 0


def test_a_group_is_reused_in_the_next_round(
    app: Flask, client: FlaskClient, coordinator: Any
) -> None:
    assert post(client, "/rounds/address-book/upload", people=GOOD).status_code == 303
    assert book(app) == 2
    draft = make_round(app)
    ok = post(client, f"/rounds/{draft}/contacts/from-group", group="Oak Class", audience="parents")
    assert ok.status_code == 303
    with app.app_context():
        emails = set(
            db.session.execute(select(Contact.email).where(Contact.round_id == draft)).scalars()
        )
    assert emails == {"sam@example.org", "ali@example.org"}
    # After launch the same group is invited at once, skipping anyone already invited.
    live = make_round(app, name="Live one")
    do_launch(app, live)
    post(client, f"/rounds/{live}/contacts/from-group", group="Oak Class", audience="parents")
    post(client, f"/rounds/{live}/contacts/from-group", group="Oak Class", audience="parents")
    with app.app_context():
        n = db.session.execute(
            select(func.count()).select_from(Invitation).where(Invitation.round_id == live)
        ).scalar_one()
    assert n == 2 and len(messages(app, live)) == 2
    with app.app_context():
        entries = list(db.session.execute(select(AuditEntry)).scalars())
        flat = " ".join(f"{e.summary} {e.details}" for e in entries)
    assert "address_book.imported" in {e.action for e in entries}
    assert "sam@" not in flat and "ali@" not in flat


def test_another_organisation_never_sees_the_book(
    app: Flask, client: FlaskClient, coordinator: Any, make_user: Any
) -> None:
    post(client, "/rounds/address-book/upload", people=GOOD)
    from tests.support import login

    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    make_user("coord@b.example", "Org B")
    login(client, "coord@b.example")
    page = client.get("/rounds/address-book").get_data(as_text=True)
    assert "The address book is empty" in page and "Sam Jones" not in page.replace(
        "sam@example.org,Sam Jones,Parents", ""
    )
