"""Which audiences an own question is asked of (issue 20): ticked on the add/edit form, every
audience by default, at least one required (a 422 and nothing stored), an audience that has
left the round ignored, and a question left asked of nobody stopping the launch."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.invitations.common import audience_labels
from app.models import FeedbackRound, Organisation, RoundQuestion
from app.services import questions, round_audiences
from app.services.launch import plan_launch
from app.services.responding import today
from tests.support import csrf_token

ELECTED = "c-elected-members"


def _stored(app: Flask, round_id: uuid.UUID) -> list[tuple[str, list[str] | None]]:
    with app.app_context():
        rows = db.session.execute(
            select(RoundQuestion)
            .where(RoundQuestion.round_id == round_id)
            .order_by(RoundQuestion.position)
        ).scalars()
        return [(q.text, q.audiences) for q in rows]


def _groups(app: Flask, round_id: uuid.UUID) -> list[str]:
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        return rnd.groups


@pytest.fixture
def draft(client: FlaskClient, coordinator: Any, make_round: Callable[..., uuid.UUID]) -> Any:
    round_id = make_round()
    return round_id, f"/rounds/{round_id}/questions", csrf_token(client, "/")


def _form(token: str, text: str, audiences: list[str] | None) -> dict[str, Any]:
    form: dict[str, Any] = {"csrf_token": token, "kind": "yes_no", "text": text}
    if audiences is not None:
        form.update({questions.AUDIENCES_LISTED: "yes", "audience": audiences})
    return form


def test_the_form_offers_every_audience_ticked_and_stores_the_choice(app, client, draft):
    round_id, url, token = draft
    groups = _groups(app, round_id)
    assert groups[:2] == ["staff", "parents"] and "children_under_8" in groups
    page = client.get(url).get_data(as_text=True)
    for group in groups:
        assert f'id="audience-{group}" name="audience" value="{group}" checked' in page
    # Every audience ticked is stored as "every audience" (an audience added later is asked too).
    assert client.post(url, data=_form(token, "All ticked?", groups)).status_code == 303
    assert client.post(url, data=_form(token, "Some?", groups[:2])).status_code == 303
    assert client.post(url, data=_form(token, "No boxes?", None)).status_code == 303
    assert _stored(app, round_id) == [
        ("All ticked?", None),
        ("Some?", groups[:2]),
        ("No boxes?", None),
    ]
    page = client.get(url).get_data(as_text=True)
    assert "Asked of every audience." in page
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        labels = audience_labels(rnd)
    assert f"Asked of: {labels[groups[0]]}, {labels[groups[1]]}." in page
    # The edit form shows the choice stored.
    with app.app_context():
        some = db.session.execute(
            select(RoundQuestion.id).where(RoundQuestion.text == "Some?")
        ).scalar_one()
    form = client.get(f"{url}/{some}/edit").get_data(as_text=True)
    assert f'value="{groups[0]}" checked' in form
    assert f'value="{groups[2]}">' in form


@pytest.mark.parametrize(
    ("audiences", "words"),
    [
        ([], "Choose at least one audience to ask this question of."),
        (["parents", "governors"], "Choose only from this round&#39;s audiences."),
    ],
)
def test_no_audience_or_an_unknown_one_is_a_422_and_nothing_stored(
    app, client, draft, audiences, words
):
    round_id, url, token = draft
    response = client.post(url, data=_form(token, "Nobody?", audiences))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'class="error-summary"' in page and words in page
    first = _groups(app, round_id)[0]
    assert f'href="#audience-{first}"' in page  # the summary links to the first checkbox
    assert _stored(app, round_id) == []


def test_an_edit_ticking_nobody_changes_nothing(app, client, draft):
    round_id, url, token = draft
    groups = _groups(app, round_id)
    client.post(url, data=_form(token, "Staff only?", groups[-1:]))
    before = _stored(app, round_id)
    with app.app_context():
        question_id = db.session.execute(select(RoundQuestion.id)).scalar_one()
    response = client.post(f"{url}/{question_id}/edit", data=_form(token, "Changed?", []))
    assert response.status_code == 422
    assert "Choose at least one audience" in response.get_data(as_text=True)
    assert _stored(app, round_id) == before


def test_changing_only_the_audiences_keeps_the_translations(app, client, draft):
    round_id, url, token = draft
    groups = _groups(app, round_id)
    client.post(url, data=_form(token, "Kept?", None))
    with app.app_context():
        question = db.session.execute(select(RoundQuestion)).scalar_one()
        question.translations = {"cy": {"text": "Cadw?", "options": []}}
        db.session.commit()
        question_id = question.id
    assert (
        client.post(f"{url}/{question_id}/edit", data=_form(token, "Kept?", groups[:1]))
    ).status_code == 303
    with app.app_context():
        question = db.session.get(RoundQuestion, question_id)
        assert question is not None
        assert question.audiences == groups[:1]
        assert question.translations == {"cy": {"text": "Cadw?", "options": []}}
    client.post(f"{url}/{question_id}/edit", data=_form(token, "New words?", groups[:1]))
    with app.app_context():
        question = db.session.get(RoundQuestion, question_id)
        assert question is not None and question.translations == {}


def test_an_audience_that_left_the_round_is_ignored_and_nobody_left_stops_the_launch(
    app, client, draft
):
    round_id, url, token = draft
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        round_audiences.add_audience(
            rnd,
            name="Elected members",
            plural="",
            scale="agree4",
            email=True,
            open_link=True,
            resembles="parents",
        )
        db.session.commit()
    groups = _groups(app, round_id)
    assert ELECTED in groups
    client.post(url, data=_form(token, "Members only?", [ELECTED]))
    client.post(url, data=_form(token, "Members and parents?", [ELECTED, "parents"]))
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        round_audiences.remove_audience(rnd, ELECTED)
        db.session.commit()
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        asked = {q.text: questions.asked_of(rnd, q) for q in questions.questions_of(rnd.id)}
        assert asked == {"Members only?": [], "Members and parents?": ["parents"]}
        problems = plan_launch(rnd, audience_labels(rnd), today()).problems
        assert any("“Members only?” is asked of no audience" in p for p in problems)
        assert not any("Members and parents?" in p for p in problems)
    page = client.get(url).get_data(as_text=True)
    assert "Asked of no one" in page
    # Editing it offers only the round's audiences now; saving one puts it right.
    with app.app_context():
        members = db.session.execute(
            select(RoundQuestion.id).where(RoundQuestion.text == "Members only?")
        ).scalar_one()
    form = client.get(f"{url}/{members}/edit").get_data(as_text=True)
    assert ELECTED not in form
    response = client.post(f"{url}/{members}/edit", data=_form(token, "Members only?", [ELECTED]))
    assert response.status_code == 422  # no longer one of the round's audiences
    response = client.post(f"{url}/{members}/edit", data=_form(token, "Members only?", ["staff"]))
    assert response.status_code == 303
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        assert not any(
            "asked of no audience" in p
            for p in plan_launch(rnd, audience_labels(rnd), today()).problems
        )


def test_a_copied_round_asks_the_same_audiences(app, make_round):
    from app.services.rounds import copy_round

    round_id = make_round()
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        questions.add_question(
            rnd, questions.QuestionInput(kind="yes_no", text="Staff?", audiences=("staff",))
        )
        org = db.session.get(Organisation, rnd.organisation_id)
        assert org is not None
        copy = copy_round(rnd, org, "Autumn feedback")
        questions.copy_questions(rnd, copy)
        db.session.commit()
        assert [q.audiences for q in questions.questions_of(copy.id)] == [["staff"]]


def test_the_service_refuses_no_audience_and_stores_nothing(app, make_round):
    round_id = make_round()
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        with pytest.raises(questions.QuestionRefused) as refused:
            questions.add_question(
                rnd, questions.QuestionInput(kind="yes_no", text="Nobody?", audiences=())
            )
        assert refused.value.errors == {
            "audiences": "Choose at least one audience to ask this question of."
        }
        # Both mistakes at once: the spec's and the audiences'.
        with pytest.raises(questions.QuestionRefused) as refused:
            questions.add_question(
                rnd, questions.QuestionInput(kind="yes_no", text="", audiences=())
            )
        assert set(refused.value.errors) == {"text", "audiences"}
        db.session.rollback()
    assert _stored(app, round_id) == []
