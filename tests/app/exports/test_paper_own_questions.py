"""The paper template and its import carry the round's own questions (issue 20): a column per
question (and one for the words of "Other"), checked as the respondent page checks them."""

from __future__ import annotations

import io
import uuid
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from app.models import QuestionAnswer, QuestionText, RoundStatus
from app.services import questions
from app.services.documents import paper
from app.services.rounds import freeze
from tests.app.exports.conftest import fill_template, load_round, make_round
from tests.app.exports.test_paper import _template, _text, _upload
from tests.app.results.own_helpers import SPECS
from tests.support import release_all


@pytest.fixture
def own_round(app: Flask, coordinator: Any) -> uuid.UUID:
    round_id = make_round(app, status=RoundStatus.DRAFT, indicators=["2.2", "5.1"])
    with app.app_context():
        rnd = load_round(round_id)
        for spec in SPECS:
            questions.add_question(rnd, spec)
        freeze(rnd)
        rnd.status = RoundStatus.LIVE
        db.session.commit()
    return round_id


def own_columns(app: Flask, round_id: uuid.UUID) -> dict[str, paper.EntryColumn]:
    with app.app_context():
        rnd = load_round(round_id)
        columns = paper.entry_columns(paper.questionnaire_for(rnd, "parents"))
    return {c.header: c for c in columns if c.kind in ("own", "own_text")}


def test_the_template_has_a_column_per_question_with_its_answers(
    app: Flask, client: FlaskClient, own_round: uuid.UUID
) -> None:
    wb = load_workbook(io.BytesIO(_template(client, own_round)))
    header = [c.value for c in wb["Entry"][1]]
    for spec in SPECS:
        assert spec.text in header
    assert "How did you hear about this survey?: Other, please say" in header
    instructions = " ".join(str(c.value) for row in wb["Instructions"].iter_rows() for c in row)
    assert "Answers: Yes; No; Don't know" in instructions
    assert "any of Library; Pool; Park, separated by semicolons" in instructions
    assert "a whole number from 0 to 30" in instructions


def test_typed_answers_are_imported_sealed_and_bad_ones_refused(
    app: Flask, client: FlaskClient, own_round: uuid.UUID
) -> None:
    cols = own_columns(app, own_round)
    yes_no = cols["Did you get our leaflet?"].letter
    hear = cols["How did you hear about this survey?"].letter
    other = cols["How did you hear about this survey?: Other, please say"].letter
    several = cols["Which services do you use?"].letter
    number = cols["How many times did you visit?"].letter
    text = cols["What one thing would you change?"].letter
    bad = fill_template(
        _template(client, own_round),
        {
            2: {yes_no: "Maybe"},
            3: {number: "31"},
            4: {hear: "Email", other: "a friend"},
            5: {several: "Library; Swings"},
        },
    )
    response = _upload(client, own_round, bad)
    assert response.status_code == 422
    page = _text(response)
    assert "'Maybe' is not one of Yes, No, Don't know." in page
    assert f"Row 3, column {number}" in page and "Enter a number between 0 and 30." in page
    assert "Select “Other, please say” to write your own answer" in page
    assert "'Swings' is not one of Library, Pool, Park" in page
    good = fill_template(
        _template(client, own_round),
        {
            2: {yes_no: "yes", hear: "Other, please say", other: "Saw it at the gala"},
            3: {several: "Park; library", number: 7, text: "More benches"},
        },
    )
    response = _upload(client, own_round, good)
    assert response.status_code == 303, _text(response)[:2000]
    release_all(app)
    with app.app_context():
        chosen = sorted(db.session.execute(select(QuestionAnswer.value)).scalars())
        words = sorted(db.session.execute(select(QuestionText.text)).scalars())
    assert chosen == ["7", "o1", "o3", "other", "yes"]
    assert words == ["More benches", "Saw it at the gala"]
