"""A round's own questions bound to an indicator come into the assessment with its evidence
(issue 20): beside the indicator's figures, exactly as the results page shows them, labelled as
the round's own and never in percent favourable; small groups, hidden cells and hidden words
stay out of the import, its pages, the workbook and the report."""

from __future__ import annotations

import io
import json
import re
import uuid
from typing import Any

import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from app.models import EvidenceItem, FeedbackRound
from app.services.assessment import imports
from app.services.results import round_results
from tests.app.assessment.conftest import COORD, FAY, MO
from tests.app.assessment.helpers import post, text
from tests.app.own_rounds import hide_words, own_round
from tests.app.reports.readback import docx_document, docx_text, flat, pdf_text

K = 5
SECRETS = ("Partner secret", "Word of mouth", "Name me")

# Per person: (yes/no, one choice, free text). Staff 20: yes 15 / no 5; Email 10, Poster 8 and
# Other 2 (under k, so hidden with a complement). Parents 6: yes 5 / no 1 (a person: hidden).
# Partners 3: under k, nothing of theirs is shown. "Name me" is hidden by a coordinator.
ANSWERS = {
    "staff": [
        ([(["yes"], ""), (["o1"], ""), ([], "Staff idea A")], 10),
        ([(["yes"], ""), (["o2"], ""), ([], "")], 5),
        ([(["no"], ""), (["o2"], ""), ([], "Staff idea B")], 2),
        ([(["no"], ""), (["o2"], ""), ([], "Name me")], 1),
        ([(["no"], ""), (["other"], "Word of mouth"), ([], "")], 2),
    ],
    "parents": [
        ([(["yes"], ""), (["o1"], ""), ([], "Parents' idea")], 5),
        ([(["no"], ""), (["o1"], ""), ([], "")], 1),
    ],
    "partners": [([(["yes"], ""), (["o1"], ""), ([], "Partner secret")], 3)],
}


@pytest.fixture
def spring(app: Flask) -> dict[str, Any]:
    made = own_round(app, ANSWERS)
    hide_words(app, made["id"], "Name me")
    return made


def _url(assessment_id: uuid.UUID, tail: str = "") -> str:
    return f"/assessments/{assessment_id}{tail}"


def _items(app: Flask, assessment_id: uuid.UUID) -> dict[str, EvidenceItem]:
    with app.app_context():
        found = db.session.execute(
            select(EvidenceItem).where(
                EvidenceItem.assessment_id == assessment_id, EvidenceItem.payload.is_not(None)
            )
        ).scalars()
        items = {i.indicator_id: i for i in found}
        for item in items.values():
            db.session.expunge(item)
        return items


def _import(as_user: Any, assessment_id: uuid.UUID, round_id: uuid.UUID) -> Any:
    return post(as_user(MO), _url(assessment_id, "/import"), {"round_id": str(round_id)})


def _published(app: Flask, round_id: uuid.UUID) -> list[Any]:
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        return round_results(rnd).own_questions


def test_bound_questions_come_in_beside_their_indicator_as_published(
    app: Flask, as_user: Any, assessment_id: uuid.UUID, spring: dict[str, Any]
) -> None:
    response = _import(as_user, assessment_id, spring["id"])
    assert response.status_code == 303, text(response)[:2000]
    items = _items(app, assessment_id)
    assert set(items) == {"2.1", "2.2"}
    assert not items["2.1"].payload["own_questions"]  # nothing is bound to 2.1
    own = items["2.2"].payload["own_questions"]
    # The round-wide question ("Which services do you use?") belongs to no indicator.
    assert [q["kind"] for q in own] == ["yes_no", "one_choice", "free_text"]
    published = {str(q.question_id): q for q in _published(app, spring["id"])}
    labels = {"staff": "Staff", "parents": "Parents and carers", "partners": "Partners"}
    for question in own:
        result = published[question["question_id"]]
        # Every figure and every table cell exactly as the results service publishes them.
        assert question["figures"] == [
            {**vars_of(row), "label": labels[row.audience]} for row in result.figure_rows(K)
        ]
        assert question["table"] == (result.text_rows(K) if result.rows else [])
        assert question["text"] == result.text
    yes_no = {(f["audience"], f["answer_code"]): f for f in own[0]["figures"]}
    assert yes_no[("staff", "yes")]["count"] == 15
    assert yes_no[("staff", "percent_yes")]["percent"] == pytest.approx(75)
    # Never in percent favourable: the indicator's cells and items are the statements' alone.
    payload = items["2.2"].payload
    assert {c["audience"] for c in payload["cells"]} <= {"staff", "parents", "partners"}
    assert all("leaflet" not in json.dumps(c) for c in payload["cells"] + payload["items"])
    assert [c.favourable for c in imports.cell_figures(payload)] == [
        c.get("favourable") for c in payload["cells"]
    ]
    # Labelled as the round's own question in the evidence log's words.
    description = items["2.2"].description
    assert "The round's own question (Yes, no or don't know; not part of percent favourable)" in (
        description
    )
    assert "“Did you get our leaflet?”" in description
    assert "Staff: Yes: 15 (75%" in description
    assert "Partners: Fewer than 5." in description


def vars_of(row: Any) -> dict[str, Any]:
    from dataclasses import asdict

    return asdict(row)


def test_small_groups_hidden_cells_and_hidden_words_never_come_in(
    app: Flask, as_user: Any, assessment_id: uuid.UUID, spring: dict[str, Any]
) -> None:
    """An insider holding both the results page and the imported evidence learns nothing the
    results page hides: every count the import holds is one the results page shows."""
    assert _import(as_user, assessment_id, spring["id"]).status_code == 303
    item = _items(app, assessment_id)["2.2"]
    frozen = json.dumps(item.payload) + item.description
    for secret in SECRETS:
        assert secret not in frozen
    yes_no, one, words = item.payload["own_questions"]
    for question in (yes_no, one):
        partners = [f for f in question["figures"] if f["audience"] == "partners"]
        assert partners and all(
            f["count"] is None and f["percent"] is None and f["ci_low"] is None for f in partners
        )
        assert {f["hidden"] for f in partners} == {"Fewer than 5"}
    # The parent who said no is one person: yes and no both hidden, no percent yes.
    parents = {f["answer_code"]: f for f in yes_no["figures"] if f["audience"] == "parents"}
    assert parents["no"]["count"] is None and parents["yes"]["count"] is None
    assert parents["percent_yes"]["percent"] is None
    # Staff's two "Other": hidden, with Poster as its complement; neither their count nor the
    # Poster count can be read back, and so neither can the words of "Other".
    staff = {f["answer_code"]: f for f in one["figures"] if f["audience"] == "staff"}
    assert staff["o1"]["count"] == 10
    assert staff["o2"]["count"] is None and staff["other"]["count"] is None
    assert staff["other"]["hidden"] == "Fewer than 5"
    assert staff["o2"]["hidden"] == "Not shown (protects a smaller group)"
    other_words = {g["audience"]: g for g in one["words"]}
    assert other_words["staff"]["suppressed"] and other_words["staff"]["texts"] == []
    groups = {g["audience"]: g for g in words["words"]}
    assert groups["partners"]["suppressed"] and groups["partners"]["texts"] == []
    assert "Fewer than 5 responses" in groups["partners"]["notice"]
    assert sorted(groups["staff"]["texts"]) == ["Staff idea A"] * 10 + ["Staff idea B"] * 2
    assert groups["staff"]["hidden_count"] == 1
    assert groups["parents"]["texts"] == ["Parents' idea"] * 5
    # Every number the import holds for the round's own questions is on the results page.
    for question in (yes_no, one):
        for figure in question["figures"]:
            if figure["count"] is not None:
                cells = [cell for row in question["table"] for cell in row]
                assert any(str(figure["count"]) in cell for cell in cells)


def test_importing_again_changes_nothing(
    app: Flask, as_user: Any, assessment_id: uuid.UUID, spring: dict[str, Any]
) -> None:
    assert _import(as_user, assessment_id, spring["id"]).status_code == 303
    before = {k: (i.id, i.payload, i.description) for k, i in _items(app, assessment_id).items()}
    again = _import(as_user, assessment_id, spring["id"])
    assert again.status_code == 422
    assert "already been imported" in text(again)
    # A coordinator hiding more words afterwards does not rewrite the frozen evidence either.
    hide_words(app, spring["id"], "Parents' idea")
    after = {k: (i.id, i.payload, i.description) for k, i in _items(app, assessment_id).items()}
    assert after == before


def test_the_indicator_page_shows_them_labelled_and_suppressed(
    app: Flask, as_user: Any, assessment_id: uuid.UUID, spring: dict[str, Any]
) -> None:
    assert _import(as_user, assessment_id, spring["id"]).status_code == 303
    page = text(as_user(FAY).get(_url(assessment_id, "/indicators/2.2")))
    assert "The round's own question</span> Did you get our leaflet?" in page
    assert "Not part of percent favourable." in page
    assert "15 (75%)" in page  # staff's yes, as the results page writes it
    assert "Staff idea A" in page and "Parents' idea" in page
    assert "Fewer than 5 responses: words from this group are not shown." in page
    assert "Which services do you use?" not in page  # not bound to an indicator
    evidence = text(as_user(FAY).get(_url(assessment_id, "/evidence")))
    for body in (page, evidence):
        for secret in SECRETS:
            assert secret not in body
    # The same question on the results page: every cell the import shows, it shows.
    results = text(as_user(COORD).get(f"/results/{spring['id']}/indicators/2.2"))
    item = _items(app, assessment_id)["2.2"]
    for question in item.payload["own_questions"]:
        for row in question["table"]:
            for cell in row[1:]:
                for figure in re.findall(r"\d+(?:-\d+)?%?", cell):
                    assert figure in results, (row, cell)


def test_workbook_and_report_carry_them(
    app: Flask, as_user: Any, assessment_id: uuid.UUID, spring: dict[str, Any]
) -> None:
    assert _import(as_user, assessment_id, spring["id"]).status_code == 303
    client = as_user(FAY)
    files = {}
    for name, where in (
        ("pdf", _url(assessment_id, "/report.pdf")),
        ("docx", _url(assessment_id, "/report.docx")),
        ("xlsx", f"/exports/assessments/{assessment_id}.xlsx"),
    ):
        response = client.get(where)
        assert response.status_code == 200
        files[name] = response.data
        response.close()
    book = load_workbook(io.BytesIO(files["xlsx"]))
    sheet = book["Own questions"]
    values = list(sheet.iter_rows(values_only=True))
    header = next(n for n, r in enumerate(values) if r[0] == "Indicator")
    rows = values[header + 1 :]
    staff_yes = next(r for r in rows if r[5] == "Staff" and r[6] == "Yes")
    assert staff_yes[:5] == (
        "2.2",
        "Spring listening",
        staff_yes[2],
        "Did you get our leaflet?",
        "Yes, no or don't know",
    )
    assert staff_yes[7] == 15 and staff_yes[8] == pytest.approx(0.75)
    partners = [r for r in rows if r[5] == "Partners"]
    assert partners and all(r[7] == "Fewer than 5" and r[8] is None for r in partners)
    assert {r[3] for r in rows} == {
        "Did you get our leaflet?",
        "How did you hear about this survey?",
    }
    answers = book["Own answers"]
    written = [r[4] for r in answers.iter_rows(values_only=True)]
    assert written.count("Staff idea A") == 10 and written.count("Parents' idea") == 5
    everything = " ".join(
        str(v) for ws in book.worksheets for r in ws.iter_rows(values_only=True) for v in r if v
    )
    for body in (
        everything,
        pdf_text(files["pdf"]),
        docx_text(docx_document(files["docx"])),
    ):
        for secret in SECRETS:
            assert secret not in body
    for body in (pdf_text(files["pdf"]), docx_text(docx_document(files["docx"]))):
        assert flat("The round's own question: Did you get our leaflet?") in body
        assert "Not part of percent favourable." in body
        assert "Staff idea A" in body
        assert flat("Fewer than 5 responses: words from this group are not shown.") in body
