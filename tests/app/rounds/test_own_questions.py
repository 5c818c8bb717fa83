"""The round's own questions (issue 20): a coordinator adds, edits and removes one of each type
before launch; bad specs are a 422 with an error summary and nothing stored; frozen at launch."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import RoundQuestion
from tests.support import csrf_token

GOOD = {
    "yes_no": {"text": "Did you get our leaflet?"},
    "one_choice": {
        "text": "How did you hear about this survey?",
        "options": "Email\nPoster\nA friend\n",
        "other": "yes",
    },
    "several_choices": {"text": "Which services do you use?", "options": "Library\nPool"},
    "number": {
        "text": "How many times did you visit?",
        "minimum": "0",
        "maximum": "30",
        "bins": "0-4, 5-9, 10-30",
        "indicator_id": "2.1",
    },
    "free_text": {"text": "What one thing would you change?"},
}


def stored(app: Flask, round_id: uuid.UUID) -> list[tuple[Any, ...]]:
    with app.app_context():
        rows = db.session.execute(
            select(RoundQuestion).where(RoundQuestion.round_id == round_id)
        ).scalars()
        return sorted((q.position, q.kind, q.text, q.spec, q.indicator_id) for q in rows)


@pytest.fixture
def draft(client: FlaskClient, coordinator: Any, make_round: Callable[..., uuid.UUID]) -> Any:
    round_id = make_round()
    return round_id, f"/rounds/{round_id}/questions", csrf_token(client, "/")


def test_a_coordinator_adds_edits_and_removes_a_question_of_each_type(app, client, draft):
    round_id, url, token = draft
    for kind, fields in GOOD.items():
        response = client.post(url, data={"csrf_token": token, "kind": kind, **fields})
        assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    rows = stored(app, round_id)
    assert [r[1] for r in rows] == list(GOOD)
    assert rows[1][3] == {"options": ["Email", "Poster", "A friend"], "other": True}
    assert rows[3][3] == {"min": 0, "max": 30, "bins": [[0, 4], [5, 9], [10, 30]]}
    assert rows[3][4] == "2.1" and rows[0][4] is None
    page = client.get(url).get_data(as_text=True)
    for fields in GOOD.values():
        assert fields["text"] in page
    assert "Email; Poster; A friend; Other, please say" in page

    with app.app_context():
        number = db.session.execute(
            select(RoundQuestion).where(RoundQuestion.kind == "number")
        ).scalar_one()
        number_id = number.id
    edit = f"{url}/{number_id}/edit"
    form = client.get(edit).get_data(as_text=True)
    assert 'value="0-4, 5-9, 10-30"' in form
    changed = {**GOOD["number"], "maximum": "40", "bins": "0-9, 10-40"}
    response = client.post(edit, data={"csrf_token": token, "kind": "number", **changed})
    assert response.status_code == 303
    assert stored(app, round_id)[3][3]["bins"] == [[0, 9], [10, 40]]

    response = client.post(f"{url}/{number_id}/remove", data={"csrf_token": token})
    assert response.status_code == 303
    assert [r[1] for r in stored(app, round_id)] == [
        "yes_no",
        "one_choice",
        "several_choices",
        "free_text",
    ]


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"kind": "one_choice", "text": "Q?", "options": "A\nA"}, "options", "more than once"),
        ({"kind": "one_choice", "text": "Q?", "options": "A\n\nB"}, "options", "Option 2 is empty"),
        ({"kind": "several_choices", "text": "Q?", "options": "A"}, "options", "at least 2"),
        (
            {"kind": "number", "text": "Q?", "minimum": "9", "maximum": "1", "bins": "1-9"},
            "minimum",
            "must be below the largest",
        ),
        (
            {"kind": "number", "text": "Q?", "minimum": "0", "maximum": "9", "bins": "0-4, 5-12"},
            "bins",
            "outside the range 0 to 9",
        ),
        ({"kind": "yes_no", "text": ""}, "text", "Enter the question"),
        ({"kind": "ranking", "text": "Q?"}, "kind", "Choose a type of question"),
        ({"kind": "yes_no", "text": "Q?", "indicator_id": "9.9"}, "indicator_id", "indicators"),
    ],
)
def test_bad_specs_are_a_422_with_an_error_summary_and_nothing_stored(
    app, client, draft, fields, field, words
):
    round_id, url, token = draft
    response = client.post(url, data={"csrf_token": token, **fields})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'class="error-summary"' in page and f'href="#{field}"' in page
    assert words in page
    assert stored(app, round_id) == []


def test_a_bad_edit_changes_nothing(app, client, draft):
    round_id, url, token = draft
    client.post(url, data={"csrf_token": token, "kind": "yes_no", "text": "Did it help?"})
    before = stored(app, round_id)
    with app.app_context():
        question_id = db.session.execute(select(RoundQuestion.id)).scalar_one()
    response = client.post(
        f"{url}/{question_id}/edit",
        data={"csrf_token": token, "kind": "one_choice", "text": "Q?", "options": "A\na"},
    )
    assert response.status_code == 422
    assert stored(app, round_id) == before


def test_questions_are_frozen_once_the_round_is_launched(app, client, draft, launch):
    round_id, url, token = draft
    client.post(url, data={"csrf_token": token, "kind": "yes_no", "text": "Did it help?"})
    launch(round_id)
    before = stored(app, round_id)
    with app.app_context():
        question_id = db.session.execute(select(RoundQuestion.id)).scalar_one()
    for path, data in (
        (url, {"kind": "yes_no", "text": "Another?"}),
        (f"{url}/{question_id}/edit", {"kind": "yes_no", "text": "Changed?"}),
        (f"{url}/{question_id}/remove", {}),
    ):
        response = client.post(path, data={"csrf_token": token, **data})
        assert response.status_code == 409
        assert "has been launched" in response.get_data(as_text=True)
    assert stored(app, round_id) == before
    page = client.get(url).get_data(as_text=True)
    assert "Did it help?" in page and "Add a question" not in page


def test_viewers_cannot_change_questions(app, client, make_user, make_round):
    from app.models import Role
    from tests.support import login

    round_id = make_round()
    viewer = make_user("viewer@a.example", "Org A", Role.VIEWER)
    login(client, viewer.email)
    token = csrf_token(client, "/")
    url = f"/rounds/{round_id}/questions"
    assert client.get(url).status_code == 200
    response = client.post(url, data={"csrf_token": token, "kind": "yes_no", "text": "Q?"})
    assert response.status_code == 403
    assert stored(app, round_id) == []


def test_a_copied_round_asks_the_same_questions(app, client, draft):
    round_id, url, token = draft
    for kind, fields in GOOD.items():
        client.post(url, data={"csrf_token": token, "kind": kind, **fields})
    response = client.post(
        f"/rounds/{round_id}/copy", data={"csrf_token": token, "name": "Next year"}
    )
    assert response.status_code == 303
    with app.app_context():
        from app.models import FeedbackRound

        copy_id = db.session.execute(
            select(FeedbackRound.id).where(FeedbackRound.name == "Next year")
        ).scalar_one()
    assert [r[1:] for r in stored(app, copy_id)] == [r[1:] for r in stored(app, round_id)]


def test_a_long_question_is_flagged_where_children_or_easy_read_readers_are_asked(
    app, client, draft
):
    _round_id, url, token = draft  # the round asks children (under 12: easy read)
    long_text = (
        "Thinking about everything that has happened this year, did you hear about us here "
        "or anywhere else?"
    )  # 17 words
    client.post(url, data={"csrf_token": token, "kind": "yes_no", "text": long_text})
    client.post(url, data={"csrf_token": token, "kind": "yes_no", "text": "Did you hear of us?"})
    page = client.get(url).get_data(as_text=True)
    assert page.count("who read at most 15 words a question") == 1
