"""On paper, an own question asked of some audiences only (issue 20) is printed, and has a
column in the entry template, for those audiences alone; a template still holding a column for a
question the audience is not asked is refused by name, nothing imported."""

from __future__ import annotations

import io
import uuid
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import func, select, update

from app.extensions import db
from app.models import RoundQuestion, RoundStatus, SealedSubmission
from app.services import questions
from app.services.documents import paper
from app.services.documents.paper.printed import paper_html
from app.services.rounds import freeze
from tests.app.exports.conftest import fill_template, load_round, make_round
from tests.app.exports.test_paper import _template, _text, _upload

PARENTS_ONLY = "Did you get our letter home?"
EVERYONE = "Did you see our poster?"


@pytest.fixture
def own_round(app: Flask, coordinator: Any) -> uuid.UUID:
    round_id = make_round(app, status=RoundStatus.DRAFT, audiences=["parents", "staff"])
    with app.app_context():
        rnd = load_round(round_id)
        questions.add_question(
            rnd,
            questions.QuestionInput(kind="yes_no", text=PARENTS_ONLY, audiences=("parents",)),
        )
        questions.add_question(rnd, questions.QuestionInput(kind="yes_no", text=EVERYONE))
        freeze(rnd)
        rnd.status = RoundStatus.LIVE
        db.session.commit()
    return round_id


def test_printed_and_template_only_for_those_asked(
    app: Flask, client: FlaskClient, own_round: uuid.UUID
) -> None:
    with app.app_context():
        rnd = load_round(own_round)
        printed = {
            audience: paper_html(rnd, paper.questionnaire_for(rnd, audience), "en", "Org A")
            for audience in ("parents", "staff")
        }
    assert PARENTS_ONLY in printed["parents"] and EVERYONE in printed["parents"]
    assert PARENTS_ONLY not in printed["staff"] and EVERYONE in printed["staff"]
    for audience, expected in (("parents", True), ("staff", False)):
        wb = load_workbook(io.BytesIO(_template(client, own_round, audience)))
        header = [c.value for c in wb["Entry"][1]]
        assert (PARENTS_ONLY in header) is expected and EVERYONE in header


def test_a_template_with_a_column_for_a_question_not_asked_is_refused(
    app: Flask, client: FlaskClient, own_round: uuid.UUID
) -> None:
    data = fill_template(_template(client, own_round, "parents"), {2: {"A": "P1"}})
    with app.app_context():
        # As if parents had not been asked it (the template was made for an older choice).
        db.session.execute(
            update(RoundQuestion)
            .where(RoundQuestion.text == PARENTS_ONLY)
            .values(audiences=["staff"])
        )
        db.session.commit()
    response = _upload(client, own_round, data)
    assert response.status_code == 422
    text = _text(response)
    assert f"This template has a column for the question “{PARENTS_ONLY}”" in text
    assert "which this round does not ask of Parents" in text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SealedSubmission)) == 0
