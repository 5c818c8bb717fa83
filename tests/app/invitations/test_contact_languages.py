"""A contact's preferred language: read from the contact file, carried to the invitation at
launch, and never anywhere near a response (issue 17, DESIGN.md 6.1)."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import Contact, FeedbackRound, Invitation
from app.services.contacts import (
    ContactRow,
    add_contacts,
    load_pending,
    parse_upload,
    sign_pending,
)
from tests.app.invitations.builders import do_launch, make_round


def test_a_language_column_is_read_by_code_or_by_name() -> None:
    data = (
        "email,name,language\na@x.org,Ann,cy\nb@x.org,Bob,Arabic\nc@x.org,Cat,Cymraeg\nd@x.org,,\n"
    )
    result = parse_upload("c.csv", data.encode(), {})
    assert result.errors == []
    assert [(r.email, r.language) for r in result.valid] == [
        ("a@x.org", "cy"),
        ("b@x.org", "ar"),
        ("c@x.org", "cy"),
        ("d@x.org", ""),
    ]
    assert not any("language" in note for note in result.notes)


def test_an_unknown_language_is_reported_by_row_and_nothing_is_valid_from_it() -> None:
    data = "email,iaith\na@x.org,Klingon\nb@x.org,en\n"
    result = parse_upload("c.csv", data.encode(), {})
    assert [(e.row, e.message) for e in result.errors] == [
        (2, "“Klingon” is not a language Chorus offers: use English (en), Welsh (cy), Arabic (ar).")
    ]
    assert [r.email for r in result.valid] == ["b@x.org"]


def test_the_language_survives_check_then_import() -> None:
    import uuid

    round_id = uuid.uuid4()
    token = sign_pending("s", round_id, "parents", [ContactRow(2, "a@x.org", "Ann", "ar")])
    assert load_pending("s", token, round_id, "parents") == [ContactRow(2, "a@x.org", "Ann", "ar")]


def test_launch_gives_each_invitation_its_contacts_language(app: Flask) -> None:
    round_id = make_round(app)
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        rows = [ContactRow(1, "a@x.org", "", "cy"), ContactRow(2, "b@x.org", "", "")]
        add_contacts(rnd, "parents", rows)
        db.session.commit()
        stored = dict(db.session.execute(select(Contact.email, Contact.language)).all())
    assert stored == {"a@x.org": "cy", "b@x.org": None}
    do_launch(app, round_id)
    with app.app_context():
        got = dict(db.session.execute(select(Invitation.email, Invitation.language)).all())
    assert got == {"a@x.org": "cy", "b@x.org": None}
