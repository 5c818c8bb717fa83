"""An own question asked of one audience only (issue 20) never shows anything for the others:
no column on the results and indicator pages, no row in the workbook (read back with openpyxl),
the API, the CLI's JSON or the committee report; not a zero, not "hidden".

The attack: an insider puts parents' answers to the staff-only questions straight into the
sealed inbox (past the form, which refuses them), and they are released. Nothing of them may
appear anywhere: a parents' column, even one reading "hidden", would say parents were asked.
"""

from __future__ import annotations

import io
import json
import random
import re
import uuid
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from app.extensions import db
from app.models import Channel, FeedbackRound
from app.services import mix, questions
from app.services.accounts import get_or_create_organisation
from app.services.documents.committee_report import write_committee_docx
from app.services.rounds import RoundSettings, create_round
from app.services.synthetic import make_live
from tests.app.api.conftest import Api
from tests.app.reports.readback import docx_document, docx_text, flat
from tests.support import release_all

STAFF_ONLY = "Did the staff room help?"
STAFF_WORDS = "What would staff change?"
EVERYONE = "Did you get our leaflet?"
SECRET = "Parents smuggled words"


def _seal(app: Flask, round_id: uuid.UUID, audience: str, answers: list[list[Any]]) -> None:
    with app.app_context():
        mix.put(
            round_id,
            audience,
            [mix.Sealed(Channel.OPEN_LINK, None, [], [], questions=a) for a in answers],
        )
        db.session.commit()
    release_all(app)


@pytest.fixture
def answered(app: Flask) -> dict[str, Any]:
    with app.app_context():
        rnd = create_round(
            get_or_create_organisation("Org A"),
            RoundSettings(
                name="Spring feedback",
                framework_id="hmie-children-services",
                indicator_ids=["2.2"],
                audiences=["staff", "parents"],
                opens_on=date(2025, 3, 1),
                closes_on=date(2025, 3, 31),
                threshold=5,
            ),
        )
        asked = [
            questions.QuestionInput(
                kind="yes_no", text=STAFF_ONLY, indicator_id="2.2", audiences=("staff",)
            ),
            questions.QuestionInput(kind="free_text", text=STAFF_WORDS, audiences=("staff",)),
            questions.QuestionInput(kind="yes_no", text=EVERYONE, indicator_id="2.2"),
        ]
        ids = [str(questions.add_question(rnd, q).id) for q in asked]
        make_live(rnd)
        db.session.commit()
        round_id = rnd.id
    staff_only, words, everyone = ids
    _seal(
        app,
        round_id,
        "staff",
        [
            [(staff_only, ["yes"], ""), (words, [], f"Staff idea {n}"), (everyone, ["yes"], "")]
            for n in range(6)
        ],
    )
    _seal(
        app,
        round_id,
        "parents",
        [[(staff_only, ["no"], ""), (words, [], SECRET), (everyone, ["no"], "")] for _ in range(6)],
    )
    return {"id": round_id, "ids": ids}


def _section(page: str, question_id: str) -> str:
    found = re.search(
        rf'<section class="own-question" id="own-{question_id}".*?</section>', page, re.S
    )
    assert found, f"no section for {question_id}"
    return found.group(0)


def test_pages_show_no_column_for_an_audience_not_asked(
    app: Flask, client: FlaskClient, coordinator: Any, answered: dict[str, Any]
) -> None:
    staff_only, words, everyone = answered["ids"]
    overview = client.get(f"/results/{answered['id']}").get_data(as_text=True)
    indicator = client.get(f"/results/{answered['id']}/indicators/2.2").get_data(as_text=True)
    for page in (overview, indicator):
        alone = _section(page, staff_only)
        assert '<th scope="col">Staff</th>' in alone
        assert "Parents" not in alone  # no column, no "hidden", no zero
        assert "Asked of: Staff." in alone
        both = _section(page, everyone)
        assert '<th scope="col">Parents and carers</th>' in both
        assert "Asked of: Staff, Parents and carers." in both
    assert SECRET not in overview
    assert "Parents" not in _section(overview, words)
    assert "Staff idea 3" in _section(overview, words)


def test_the_workbook_has_no_row_for_an_audience_not_asked(
    client: FlaskClient, coordinator: Any, answered: dict[str, Any]
) -> None:
    response = client.get(f"/exports/rounds/{answered['id']}.xlsx")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.data))
    response.close()
    rows = list(wb["Own questions"].iter_rows(values_only=True))
    header = rows.index(next(r for r in rows if r and r[0] == "Question"))
    body = [dict(zip(rows[header], r, strict=True)) for r in rows[header + 1 :] if any(r)]

    def audiences(question: str) -> set[str]:
        return {r["Audience"] for r in body if r["Question"] == question}

    assert audiences(STAFF_ONLY) == {"Staff"}
    assert audiences(EVERYONE) == {"Staff", "Parents and carers"}
    assert (
        next(
            r["Count"]
            for r in body
            if r["Question"] == STAFF_ONLY and r["Audience"] == "Staff" and r["Answer"] == "Yes"
        )
        == 6
    )
    written = [
        r for r in wb["Own answers"].iter_rows(values_only=True) if r and r[0] == STAFF_WORDS
    ]
    assert {r[1] for r in written} == {"Staff"}
    assert not any(
        SECRET in str(cell) for r in wb["Own answers"].iter_rows(values_only=True) for cell in r
    )


def test_the_api_and_the_cli_have_no_figure_for_an_audience_not_asked(
    app: Flask, make_token: Any, answered: dict[str, Any]
) -> None:
    api = Api(app.test_client(), make_token())
    body = api.get(f"/rounds/{answered['id']}/results").get_json()
    result = app.test_cli_runner().invoke(args=["rounds", "results", str(answered["id"]), "--json"])
    assert result.exit_code == 0, result.output
    for own in (body["own_questions"], json.loads(result.output)["own_questions"]):
        found = {q["text"]: q for q in own}
        assert found[STAFF_ONLY]["asked_of"] == ["staff"]
        assert {f["audience"] for f in found[STAFF_ONLY]["figures"]} == {"staff"}
        assert found[STAFF_WORDS]["asked_of"] == ["staff"]
        assert found[EVERYONE]["asked_of"] == ["staff", "parents"]
        assert {f["audience"] for f in found[EVERYONE]["figures"]} == {"staff", "parents"}
    assert SECRET not in json.dumps(body) and SECRET not in result.output


def test_the_committee_report_names_whom_each_question_was_asked(
    app: Flask, answered: dict[str, Any]
) -> None:
    with app.app_context():
        rnd = db.session.get(FeedbackRound, answered["id"])
        assert rnd is not None
        word = io.BytesIO()
        write_committee_docx(rnd, word, rng=random.Random(1))
        document = docx_document(word.getvalue())
    text = flat(docx_text(document))
    assert "Asked of: Staff." in text and "Asked of: Staff, Parents and carers." in text
    assert SECRET not in text and "Staff idea 2" in text
    # The staff-only question's table: an answer column and one for staff, none for parents.
    tables = [
        [[cell.text for cell in row.cells] for row in table.rows] for table in document.tables
    ]
    heads = [t[0] for t in tables if t and t[0] and t[0][0] == "Answer"]
    assert ["Answer", "Staff"] in heads and ["Answer", "Staff", "Parents and carers"] in heads
