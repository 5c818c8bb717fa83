"""Text nobody types (NUL and the other control characters) is refused before any view runs.

On PostgreSQL each of these was a 500 (it refuses NUL in text); on SQLite the NUL was stored.
Now every one is a 400 page naming the field, and nothing changes.
"""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from app.extensions import db
from app.models import FeedbackRound, QuestionItem, Questionnaire, User
from tests.app.factories_rounds import NAME, item_id, round_id
from tests.support import csrf_token


def _page_text(response: TestResponse) -> str:
    return " ".join(response.get_data(as_text=True).replace("&#34;", '"').split())


def _state(app: Flask) -> tuple[list[str], list[str | None], list[str]]:
    with app.app_context():
        return (
            sorted(db.session.execute(select(FeedbackRound.name)).scalars()),
            sorted(db.session.execute(select(Questionnaire.intro)).scalars(), key=str),
            sorted(db.session.execute(select(QuestionItem.statement)).scalars()),
        )


@pytest.mark.parametrize("bad", ["\x00", "\x07", "\x1b[31m"], ids=["nul", "bell", "escape"])
@pytest.mark.parametrize("where", ["intro", "statement", "round-name", "copy-name"])
def test_control_characters_in_staff_forms_are_refused(
    app: Flask, client: FlaskClient, coordinator: User, where: str, bad: str
) -> None:
    rnd = round_id(app, "Org A")
    item = item_id(app, "Org A")
    token = csrf_token(client, "/")
    url, form, field = {
        "intro": (f"/rounds/{rnd}/questionnaires/parents/intro", {"intro": f"Hi{bad}"}, "intro"),
        "statement": (
            f"/rounds/{rnd}/questionnaires/parents/items/{item}",
            {"statement": f"We listen{bad}."},
            "statement",
        ),
        "round-name": (f"/rounds/{rnd}/edit", {"name": f"Spring{bad}"}, "name"),
        "copy-name": (f"/rounds/{rnd}/copy", {"name": f"Copy{bad}"}, "name"),
    }[where]
    before = _state(app)
    response = client.post(url, data={**form, "csrf_token": token})
    assert response.status_code == 400
    text = _page_text(response)
    assert f"Nothing was changed: the “{field}” field contains an invisible control" in text
    assert _state(app) == before


def test_a_control_character_in_a_query_string_is_refused(
    client: FlaskClient, coordinator: User
) -> None:
    response = client.get("/rounds/new?framework=%00")
    assert response.status_code == 400
    assert "the page address (its “framework” part) contains an invisible" in _page_text(response)


def test_a_control_character_in_the_path_is_not_found(
    client: FlaskClient, coordinator: User
) -> None:
    response = client.get("/frameworks/hmie%00/")
    assert response.status_code == 404
    assert "contains an invisible control character" in _page_text(response)


def test_a_control_character_in_a_field_name_or_sign_in_is_refused(
    app: Flask, client: FlaskClient, make_user
) -> None:
    make_user("someone@a.example")
    token = csrf_token(client)
    response = client.post("/login", data={"email": "someone@a.example\x00", "csrf_token": token})
    assert response.status_code == 400
    assert "the “email” field contains" in _page_text(response)
    response = client.post("/login", data={"e\x00mail": "x", "csrf_token": token})
    assert response.status_code == 400
    assert "the “email” field contains" in _page_text(response)


def test_ordinary_whitespace_and_any_language_are_text(
    app: Flask, client: FlaskClient, coordinator: User
) -> None:
    rnd = round_id(app, "Org A")
    intro = "Line one\r\n\tLine two: Gàidhlig, 日本語, emoji 🙂"
    response = client.post(
        f"/rounds/{rnd}/questionnaires/parents/intro",
        data={"intro": intro, "csrf_token": csrf_token(client, "/")},
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    with app.app_context():
        stored = db.session.execute(
            select(Questionnaire.intro)
            .join(FeedbackRound)
            .where(FeedbackRound.name == NAME, Questionnaire.audience == "parents")
        ).scalar_one()
    assert stored.split() == intro.split()  # the page tidies whitespace; the words are kept
