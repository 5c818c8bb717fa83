"""Paper questionnaires: the entry template, checking an upload by row and column, importing."""

from __future__ import annotations

import io
import re
import time
import uuid
import zipfile
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    Answer,
    Channel,
    Comment,
    CommentPrompt,
    Response,
    ResponseDayCount,
    Role,
    RoundStatus,
)
from app.services.documents import paper
from app.services.documents.paper import check as paper_check
from tests.app.exports.conftest import fill_template, load_round, make_round
from tests.support import csrf_token, login, release_all
from tests.workbook_bombs import FAT_ROW, THIN_ROW, inflated

AGREE = ["Strongly agree", "Agree", "Disagree", "Strongly disagree", "Don't know"]


def _template(client: FlaskClient, round_id: uuid.UUID, audience: str = "parents") -> bytes:
    response = client.get(f"/exports/rounds/{round_id}/paper/{audience}.xlsx")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.data


def _upload(client: FlaskClient, round_id: uuid.UUID, data: bytes, *, skip: bool = False) -> Any:
    return _upload_with(client, round_id, data, **({"skip_invalid": "yes"} if skip else {}))


def _counts(app: Flask, round_id: uuid.UUID) -> tuple[int, int, int]:
    """Responses, answers and comments once everything sealed has been released."""
    release_all(app)
    with app.app_context():
        responses = db.session.scalar(
            select(func.count()).select_from(Response).where(Response.round_id == round_id)
        )
        answers = db.session.scalar(
            select(func.count()).select_from(Answer).where(Answer.round_id == round_id)
        )
        comments = db.session.scalar(
            select(func.count()).select_from(Comment).where(Comment.round_id == round_id)
        )
    return responses or 0, answers or 0, comments or 0


def _text(response: Any) -> str:
    """The page's text with tags removed and entities decoded, for message assertions."""
    import html

    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def _parents_columns(app: Flask, round_id: uuid.UUID) -> list[paper.EntryColumn]:
    with app.app_context():
        rnd = load_round(round_id)
        return paper.entry_columns(paper.questionnaire_for(rnd, "parents"))


# -- the template ------------------------------------------------------------------------------


def test_template_has_instructions_entry_lists_and_round_identity(
    app: Flask, client: FlaskClient, live_round: uuid.UUID
) -> None:
    response = client.get(f"/exports/rounds/{live_round}/paper/parents.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert re.search(
        r'filename="?chorus-spring-listening-paper-parents-and-carers\.xlsx', disposition
    )

    wb = load_workbook(io.BytesIO(response.data))
    assert wb.sheetnames == ["Instructions", "Entry", "Answers", "Chorus"]
    assert wb["Answers"].sheet_state == "hidden" and wb["Chorus"].sheet_state == "hidden"
    entry = wb["Entry"]
    assert entry.freeze_panes == "B2"
    with app.app_context():
        rnd = load_round(live_round)
        questionnaire = paper.questionnaire_for(rnd, "parents")
        statements = [item.statement for item in questionnaire.items]
        item_ids = [str(item.id) for item in questionnaire.items]
        role_prompt = questionnaire.role_question["prompt"]
    headers = [c.value for c in entry[1]]
    assert headers[0].startswith("Paper reference")
    assert headers[1 : 1 + len(statements)] == [
        f"Q{n}. {s}" for n, s in enumerate(statements, start=1)
    ]
    assert headers[1 + len(statements)] == role_prompt
    assert headers[-1].endswith("What could be better?")

    # Every item column has a drop-down list pointing at its scale's labels.
    lists = wb["Answers"]
    by_column: dict[str, list[str]] = {}
    for validation in entry.data_validations.dataValidation:
        match = re.fullmatch(r"=Answers!\$([A-Z]+)\$1:\$\1\$(\d+)", validation.formula1)
        assert match, validation.formula1
        labels = [lists[f"{match.group(1)}{r}"].value for r in range(1, int(match.group(2)) + 1)]
        for ref in str(validation.sqref).split():
            by_column[re.match(r"[A-Z]+", ref).group(0)] = labels
    for n in range(len(statements)):
        assert by_column[chr(ord("B") + n)] == AGREE
    assert by_column[chr(ord("B") + len(statements))][-1] == "Prefer not to say"

    info = {row[0]: row[1] for row in wb["Chorus"].iter_rows(values_only=True) if row[0]}
    assert info["round_id"] == str(live_round)
    assert info["audience"] == "parents"
    mapped = [
        row[2] for row in wb["Chorus"].iter_rows(min_row=8, values_only=True) if row[1] == "item"
    ]
    assert mapped == item_ids


def test_children_template_offers_the_faces_answers(
    client: FlaskClient, live_round: uuid.UUID
) -> None:
    wb = load_workbook(io.BytesIO(_template(client, live_round, "children")))
    labels = [c.value for c in wb["Answers"]["A"]]
    assert labels == ["Yes, mostly", "Sometimes", "No, not really", "Don't know"]


def test_template_needs_a_launched_round_and_a_coordinator(
    app: Flask, client: FlaskClient, coordinator: Any, make_user: Any
) -> None:
    draft = make_round(app, status=RoundStatus.DRAFT, name="Draft")
    response = client.get(f"/exports/rounds/{draft}/paper/parents.xlsx")
    assert response.status_code == 409
    assert "has not been launched" in _text(response)
    live = make_round(app, name="Live")
    assert client.get(f"/exports/rounds/{live}/paper/nobody.xlsx").status_code == 404

    make_user("viewer@a.example", "Org A", Role.VIEWER)
    viewer = app.test_client()
    login(viewer, "viewer@a.example")
    assert viewer.get(f"/exports/rounds/{live}/paper/parents.xlsx").status_code == 403
    assert viewer.get(f"/exports/rounds/{live}/paper").status_code == 403


def test_template_neutralises_formula_like_statements(
    app: Flask, client: FlaskClient, live_round: uuid.UUID
) -> None:
    with app.app_context():
        rnd = load_round(live_round)
        paper.questionnaire_for(rnd, "parents").items[0].statement = '=HYPERLINK("http://x","y")'
        db.session.commit()
    wb = load_workbook(io.BytesIO(_template(client, live_round)))
    cell = wb["Entry"]["B1"]
    assert cell.data_type == "s"
    assert cell.value == 'Q1. =HYPERLINK("http://x","y")'
    instructions = [
        c for row in wb["Instructions"].iter_rows() for c in row if c.value == cell.value
    ]
    assert instructions and all(c.data_type == "s" for c in instructions)


# -- importing ---------------------------------------------------------------------------------


def test_valid_rows_are_imported_as_paper_responses(
    app: Flask, client: FlaskClient, live_round: uuid.UUID
) -> None:
    columns = _parents_columns(app, live_round)
    items = [c for c in columns if c.kind == "item"]
    role = next(c for c in columns if c.kind == "role")
    works_well = next(c for c in columns if c.key.endswith("/works_well"))
    better = next(c for c in columns if c.key.endswith("/could_be_better"))

    def quoted_comment(wb: Any) -> None:
        # What Excel stores when someone types '=the staff listen (text, not a formula).
        cell = wb["Entry"][f"{works_well.letter}4"]
        cell.value = "=the staff listen"
        cell.data_type = "s"
        cell.quotePrefix = True

    data = fill_template(
        _template(client, live_round),
        {
            2: {"A": "P-001", items[0].letter: "Strongly agree", items[1].letter: "agree  "},
            3: {},  # an empty row between questionnaires is skipped
            4: {
                items[0].letter: "Don’t know",  # Excel's curly apostrophe
                items[2].letter: "Strongly disagree",
                role.letter: "Under 5",
            },
            5: {"A": "P-003"},  # a reference alone is not a questionnaire
            6: {better.letter: "More evening sessions, please."},
        },
        edit=quoted_comment,
    )
    response = _upload(client, live_round, data)
    assert response.status_code == 303, _text(response)[:2000]
    page = client.get(response.headers["Location"])
    assert "Imported 3 paper questionnaires for Parents and carers." in _text(page)
    assert "results change in steps of at least 5 people of a group" in _text(page)

    with app.app_context():  # sealed in the inbox, like any other submission
        assert db.session.scalar(select(func.count()).select_from(Response)) == 0
    release_all(app)
    with app.app_context():
        responses = (
            db.session.execute(select(Response).where(Response.round_id == live_round))
            .scalars()
            .all()
        )
        assert len(responses) == 3
        assert {r.channel for r in responses} == {Channel.PAPER}
        assert {r.audience for r in responses} == {"parents"}
        assert sorted(r.role or "" for r in responses) == ["", "", "under_5"]
        answers = db.session.execute(select(Answer.item_id, Answer.value)).all()
        assert sorted((str(i), v) for i, v in answers) == sorted(
            [
                (items[0].key, "sa"),
                (items[1].key, "a"),
                (items[0].key, "dk"),
                (items[2].key, "sd"),
            ]
        )
        comments = db.session.execute(select(Comment)).scalars().all()
        assert sorted((c.prompt, c.text) for c in comments) == [
            (CommentPrompt.COULD_BE_BETTER, "More evening sessions, please."),
            (CommentPrompt.WORKS_WELL, "=the staff listen"),
        ]
        counter = db.session.execute(select(ResponseDayCount)).scalar_one()
        assert (counter.audience, counter.channel, counter.day, counter.count) == (
            "parents",
            "paper",
            date.today(),
            3,
        )
    # A second file adds to today's count rather than failing on the counter's key.
    again = fill_template(_template(client, live_round), {2: {items[0].letter: "Agree"}})
    assert _upload(client, live_round, again).status_code == 303
    release_all(app)
    with app.app_context():
        assert db.session.execute(select(ResponseDayCount.count)).scalar_one() == 4


def test_a_value_outside_the_scale_is_reported_by_row_and_column_and_nothing_imported(
    app: Flask, client: FlaskClient, live_round: uuid.UUID
) -> None:
    columns = _parents_columns(app, live_round)
    items = [c for c in columns if c.kind == "item"]
    role = next(c for c in columns if c.kind == "role")
    data = fill_template(
        _template(client, live_round),
        {
            2: {items[0].letter: "Agree"},
            7: {items[1].letter: "Agreed"},
            8: {role.letter: "Teenager", items[0].letter: "Agree"},
        },
    )
    response = _upload(client, live_round, data)
    assert response.status_code == 422
    text = _text(response)
    statement = items[1].header
    expected = (
        f"Row 7, column {items[1].letter} ({statement[:59].rstrip()}"
        if len(statement) > 60
        else f"Row 7, column {items[1].letter} ({statement})"
    )
    assert expected in text
    assert (
        "'Agreed' is not one of Strongly agree, Agree, Disagree, Strongly disagree, Don't know."
        in text
    )
    assert f"Row 8, column {role.letter}" in text and "'Teenager' is not one of Under 5" in text
    assert "2 rows of the Parents and carers template have errors, so nothing was imported." in text
    assert _counts(app, live_round) == (0, 0, 0)


def test_the_coordinator_can_choose_to_import_only_the_valid_rows(
    app: Flask, client: FlaskClient, live_round: uuid.UUID
) -> None:
    items = [c for c in _parents_columns(app, live_round) if c.kind == "item"]
    data = fill_template(
        _template(client, live_round),
        {
            2: {items[0].letter: "Agree"},
            3: {items[0].letter: "Maybe"},
            4: {items[0].letter: "Disagree", items[1].letter: "Agree"},
        },
    )
    response = _upload(client, live_round, data, skip=True)
    assert response.status_code == 303
    page = _text(client.get(response.headers["Location"]))
    assert "Imported 2 paper questionnaires for Parents and carers." in page
    assert "1 row with errors was not imported (row 3)" in page
    assert _counts(app, live_round)[:2] == (2, 3)


def test_choosing_valid_rows_still_imports_nothing_when_no_row_is_valid(
    app: Flask, client: FlaskClient, live_round: uuid.UUID
) -> None:
    items = [c for c in _parents_columns(app, live_round) if c.kind == "item"]
    data = fill_template(_template(client, live_round), {2: {items[0].letter: 5}})
    response = _upload(client, live_round, data, skip=True)
    assert response.status_code == 422
    assert f"Row 2, column {items[0].letter}" in _text(response)
    assert "'5' is not one of" in _text(response)
    assert _counts(app, live_round) == (0, 0, 0)


def _rejected(app: Flask, client: FlaskClient, round_id: uuid.UUID, data: bytes, **kw: Any) -> str:
    response = _upload(client, round_id, data, **kw)
    assert response.status_code == 422, response.status_code
    assert _counts(app, round_id) == (0, 0, 0)
    text = _text(response)
    assert "Nothing was imported." in text or "nothing was imported" in text
    return text


def test_a_template_from_another_round_is_rejected(
    app: Flask, client: FlaskClient, live_round: uuid.UUID
) -> None:
    other = make_round(app, name="Autumn listening")
    items = [c for c in _parents_columns(app, other) if c.kind == "item"]
    data = fill_template(_template(client, other), {2: {items[0].letter: "Agree"}})
    text = _rejected(app, client, live_round, data, skip=True)
    assert "This template was made for a different round ('Autumn listening')" in text
    assert _counts(app, other) == (0, 0, 0)


def test_a_renamed_entry_sheet_is_rejected(
    app: Flask, client: FlaskClient, live_round: uuid.UUID
) -> None:
    items = [c for c in _parents_columns(app, live_round) if c.kind == "item"]

    def rename(wb: Any) -> None:
        wb["Entry"].title = "Parents"

    data = fill_template(
        _template(client, live_round), {2: {items[0].letter: "Agree"}}, edit=rename
    )
    text = _rejected(app, client, live_round, data)
    assert "There is no sheet called 'Entry' (this file has: 'Instructions', 'Parents')" in text


@pytest.mark.parametrize("change", ["delete", "insert", "retitle"])
def test_changed_columns_are_rejected(
    app: Flask, client: FlaskClient, live_round: uuid.UUID, change: str
) -> None:
    items = [c for c in _parents_columns(app, live_round) if c.kind == "item"]

    def edit(wb: Any) -> None:
        ws = wb["Entry"]
        if change == "delete":
            ws.delete_cols(3)
        elif change == "insert":
            ws.insert_cols(2)
            ws["B1"] = "Date received"
        else:
            ws["C1"] = "Something else"

    data = fill_template(_template(client, live_round), {2: {items[0].letter: "Agree"}}, edit=edit)
    text = _rejected(app, client, live_round, data)
    assert "The columns of the 'Entry' sheet have changed:" in text
    assert "column C should be 'Q2." in text or "column B should be 'Q1." in text
    assert "Columns must not be moved, added or deleted." in text


def test_a_value_in_a_column_beyond_the_template_is_an_error(
    app: Flask, client: FlaskClient, live_round: uuid.UUID
) -> None:
    columns = _parents_columns(app, live_round)
    items = [c for c in columns if c.kind == "item"]
    beyond = chr(ord(columns[-1].letter) + 2)
    data = fill_template(
        _template(client, live_round), {2: {items[0].letter: "Agree", beyond: "Agree"}}
    )
    text = _rejected(app, client, live_round, data)
    assert f"Row 2, column {beyond}: there is no question in this column" in text


def test_formulas_and_answerless_rows_are_errors(
    app: Flask, client: FlaskClient, live_round: uuid.UUID
) -> None:
    columns = _parents_columns(app, live_round)
    items = [c for c in columns if c.kind == "item"]
    role = next(c for c in columns if c.kind == "role")
    data = fill_template(
        _template(client, live_round),
        {2: {items[0].letter: '=IF(1,"Agree")'}, 3: {role.letter: "Under 5"}},
    )
    text = _rejected(app, client, live_round, data)
    assert f"Row 2, column {items[0].letter}" in text and "contains a formula" in text
    assert "Row 3: no question is answered." in text


def test_a_template_with_no_questionnaires_is_rejected(
    app: Flask, client: FlaskClient, live_round: uuid.UUID
) -> None:
    data = fill_template(_template(client, live_round), {2: {"A": "P-1"}})
    text = _rejected(app, client, live_round, data)
    assert "The 'Entry' sheet has no questionnaires typed in." in text


def _zip_without_workbook() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    return out.getvalue()


def _plain_workbook() -> bytes:
    from openpyxl import Workbook

    out = io.BytesIO()
    Workbook().save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"Row,Q1\n2,Agree\n", "This file is not an Excel workbook (.xlsx)."),
        (b"\xd0\xcf\x11\xe0" + b"\0" * 600, "This file is not an Excel workbook (.xlsx)."),
        (_zip_without_workbook(), "This file is not an Excel workbook (.xlsx)."),
        (_plain_workbook(), "This file is not a Chorus paper template"),
        (b"x" * (5 * 1024 * 1024 + 1), "The file is larger than 5 MB."),
    ],
    ids=["empty", "csv", "xls", "zip", "other-workbook", "too-big"],
)
def test_files_that_are_not_a_template_are_rejected(
    app: Flask, client: FlaskClient, live_round: uuid.UUID, data: bytes, message: str
) -> None:
    assert message in _rejected(app, client, live_round, data)


def test_a_file_over_the_request_limit_gets_the_specific_message(
    app: Flask, client: FlaskClient, live_round: uuid.UUID
) -> None:
    response = _upload(client, live_round, b"x" * (7 * 1024 * 1024))
    assert response.status_code == 413
    assert "The file is larger than 5 MB, so nothing was imported." in _text(response)
    assert _counts(app, live_round) == (0, 0, 0)


def test_a_missing_file_is_asked_for(client: FlaskClient, live_round: uuid.UUID) -> None:
    response = client.post(
        f"/exports/rounds/{live_round}/paper",
        data={"csrf_token": csrf_token(client, f"/exports/rounds/{live_round}/paper")},
    )
    assert response.status_code == 422
    assert "Choose the filled-in template to upload." in _text(response)


def test_a_closed_round_takes_no_paper_questionnaires(
    app: Flask, client: FlaskClient, live_round: uuid.UUID
) -> None:
    items = [c for c in _parents_columns(app, live_round) if c.kind == "item"]
    data = fill_template(_template(client, live_round), {2: {items[0].letter: "Agree"}})
    with app.app_context():
        load_round(live_round).status = RoundStatus.CLOSED
        db.session.commit()
    text = _rejected(app, client, live_round, data)
    assert "This round is closed, so no more questionnaires can be added." in text
    assert "no more questionnaires can be added" in _text(
        client.get(f"/exports/rounds/{live_round}/paper")
    )


def test_a_too_long_comment_is_an_error(
    app: Flask, client: FlaskClient, live_round: uuid.UUID
) -> None:
    columns = _parents_columns(app, live_round)
    comment = next(c for c in columns if c.kind == "comment")
    data = fill_template(_template(client, live_round), {2: {comment.letter: "x" * 1001}})
    text = _rejected(app, client, live_round, data)
    assert f"Row 2, column {comment.letter}" in text
    assert "the comment is 1001 characters long; the questionnaire allows 1000." in text


def test_upload_page_lists_a_template_per_audience(
    client: FlaskClient, live_round: uuid.UUID
) -> None:
    page = client.get(f"/exports/rounds/{live_round}/paper")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for audience in ("staff", "parents", "children"):
        assert f"/exports/rounds/{live_round}/paper/{audience}.xlsx" in html
    assert 'enctype="multipart/form-data"' in html
    assert 'name="csrf_token"' in html


def test_paper_responses_count_in_results_like_any_other(
    app: Flask, client: FlaskClient, live_round: uuid.UUID
) -> None:
    from app.services.results import CellStatus, close_round, round_results

    items = [c for c in _parents_columns(app, live_round) if c.kind == "item"]
    answers = ["Strongly agree", "Agree", "Agree", "Disagree", "Don't know", "Strongly agree"]
    data = fill_template(
        _template(client, live_round),
        {row: {items[0].letter: answer} for row, answer in enumerate(answers, start=2)},
    )
    assert _upload(client, live_round, data).status_code == 303
    with app.app_context():  # the close releases them, and shows every batch
        close_round(load_round(live_round))
        db.session.commit()
        results = round_results(load_round(live_round))
    parents = results.audience("parents")
    assert parents.status == CellStatus.SHOWN
    assert parents.respondents == 6
    assert parents.paper_responses == 6
    first = next(i for i in results.items if str(i.item_id) == items[0].key)
    assert first.distribution == {"sa": 2, "a": 2, "d": 1, "sd": 0, "dk": 1}
    assert first.cell.favourable == 4 and first.cell.base == 5


def test_the_same_questionnaires_are_not_imported_twice_unless_confirmed(
    app: Flask, client: FlaskClient, live_round: uuid.UUID
) -> None:
    from app.models import PaperImport

    items = [c for c in _parents_columns(app, live_round) if c.kind == "item"]
    rows = {2: {items[0].letter: "Agree"}, 3: {items[1].letter: "Disagree"}}
    first = fill_template(_template(client, live_round), rows)
    assert _upload(client, live_round, first).status_code == 303
    assert _counts(app, live_round)[0] == 2

    # The same two questionnaires, re-sorted and re-saved: refused, nothing added.
    again = fill_template(
        _template(client, live_round),
        {5: {items[1].letter: "Disagree"}, 9: {items[0].letter: "agree"}},
    )
    response = _upload(client, live_round, again)
    assert response.status_code == 422
    text = _text(response)
    assert "These 2 questionnaires were already imported for Parents and carers on" in text
    assert 'name="allow_duplicate"' in response.get_data(as_text=True)
    assert _counts(app, live_round)[0] == 2

    # The coordinator confirms they are other forms with the same answers.
    form_again = _upload_with(client, live_round, again, allow_duplicate="yes")
    assert form_again.status_code == 303
    assert _counts(app, live_round)[0] == 4
    with app.app_context():
        batches = db.session.execute(select(PaperImport)).scalars().all()
        assert [(b.audience, b.questionnaires, b.imported_on) for b in batches] == [
            ("parents", 2, date.today())
        ]
        assert len(batches[0].fingerprint) == 64
        # The fingerprint is keyed: it is not a plain hash of the answers.
        assert "Agree" not in batches[0].fingerprint


def _upload_with(client: FlaskClient, round_id: uuid.UUID, data: bytes, **fields: str) -> Any:
    """POST the file as a browser would. The body is encoded here: werkzeug's test client
    spools big bodies to a temporary file it never closes (a ResourceWarning under -W error)."""
    boundary = uuid.uuid4().hex
    body = io.BytesIO()
    fields = {"csrf_token": csrf_token(client, f"/exports/rounds/{round_id}/paper"), **fields}
    for key, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'
        body.write(f"{head}{value}\r\n".encode())
    body.write(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="t.xlsx"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
    )
    body.write(data + f"\r\n--{boundary}--\r\n".encode())
    payload = body.getvalue()
    return client.post(
        f"/exports/rounds/{round_id}/paper",
        input_stream=io.BytesIO(payload),
        content_type=f"multipart/form-data; boundary={boundary}",
        content_length=len(payload),
    )


def test_too_many_questionnaires_or_rows_are_refused(
    app: Flask, client: FlaskClient, live_round: uuid.UUID, monkeypatch: pytest.MonkeyPatch
) -> None:
    items = [c for c in _parents_columns(app, live_round) if c.kind == "item"]
    monkeypatch.setattr(paper_check, "MAX_QUESTIONNAIRES", 3)
    data = fill_template(
        _template(client, live_round), {r: {items[0].letter: "Agree"} for r in range(2, 6)}
    )
    assert "The file has more than 3 questionnaires." in _rejected(app, client, live_round, data)
    monkeypatch.setattr(paper_check, "MAX_SHEET_ROWS", 100)  # the other sheets are shorter
    data = fill_template(_template(client, live_round), {102: {items[0].letter: "Agree"}})
    assert "The 'Entry' sheet goes beyond row 100." in _rejected(app, client, live_round, data)


@pytest.mark.parametrize(
    ("rows", "row", "expected"),
    [
        (1_000_000, FAT_ROW, "MB, far more than 5,000 questionnaires need."),
        (3_000_000, THIN_ROW, "The 'Entry' sheet goes beyond row 20,000."),
    ],
    ids=["declared-size", "row-count"],
)
def test_a_zip_bomb_template_is_refused_fast_and_imports_nothing(
    app: Flask, client: FlaskClient, live_round: uuid.UUID, rows: int, row: str, expected: str
) -> None:
    # Before the guard, a half-megabyte file of three million rows took 41 s to refuse.
    bomb = inflated(_template(client, live_round), "Entry", rows, row=row)
    assert len(bomb) < 500_000
    started = time.perf_counter()
    text = _rejected(app, client, live_round, bomb)
    assert time.perf_counter() - started < 3
    assert expected in text


def test_paper_questionnaires_record_their_language_only_as_a_count(
    app: Flask, client: FlaskClient, live_round: uuid.UUID
) -> None:
    from app.models import LanguageCount

    with app.app_context():
        load_round(live_round).languages = ["en", "cy"]
        db.session.commit()
    page = client.get(f"/exports/rounds/{live_round}/paper").get_data(as_text=True)
    assert '<select id="language" name="language"' in page and '<option value="cy">Welsh' in page
    items = [c for c in _parents_columns(app, live_round) if c.kind == "item"]
    data = fill_template(
        _template(client, live_round),
        {2: {items[0].letter: "Agree"}, 3: {items[0].letter: "Disagree"}},
    )
    assert _upload_with(client, live_round, data, language="cy").status_code == 303
    release_all(app)
    with app.app_context():
        counted = db.session.execute(select(LanguageCount.language, LanguageCount.count)).all()
    assert [tuple(r) for r in counted] == [("cy", 2)]
