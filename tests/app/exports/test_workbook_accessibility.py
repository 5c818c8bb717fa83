"""The workbooks as accessible documents (issue 23): the file names itself and its language,
every sheet has a real name, every table its header row defined (an Excel table, which screen
readers announce with its column names, frozen so it stays in view), every narrative sheet a
heading in A1, every chart a title, and no cell says anything by its colour alone."""

from __future__ import annotations

import io
import re
import uuid
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from openpyxl import Workbook, load_workbook

from app.extensions import db
from app.models import FeedbackRound
from tests.app.exports.test_assessment_workbook import _assessment, _download
from tests.app.exports.test_round_workbook import _export
from tests.support import login


def _check(wb: Workbook, title: str) -> None:
    assert wb.properties.title == title
    assert wb.properties.language == "en-GB"
    names = wb.sheetnames
    assert len(set(n.lower() for n in names)) == len(names)
    for ws in wb.worksheets:
        assert not re.fullmatch(r"Sheet\d*", ws.title), ws.title
        tables = list(ws.tables.items())
        if tables:
            (_, ref), *_ = tables
            header_row = int(re.match(r"[A-Z]+(\d+)", ref).group(1))  # type: ignore[union-attr]
            headers = [c.value for c in ws[ref.split(":")[0] : ref.split(":")[1]][0]]
            assert all(isinstance(h, str) and h.strip() for h in headers), (ws.title, headers)
            assert ws.freeze_panes == f"A{header_row + 1}", ws.title
            assert ws.cell(header_row, 1).font.b, f"{ws.title}: the header row is not marked"
        elif ws._charts:
            for chart in ws._charts:
                assert chart.title is not None, f"{ws.title}: a chart without a title"
        else:
            first = ws["A1"]
            assert isinstance(first.value, str) and first.value.strip(), ws.title
            assert first.font.b or (first.font.sz or 11) > 11, f"{ws.title}: A1 is no heading"
        for row in ws.iter_rows():
            for cell in row:
                filled = cell.fill is not None and cell.fill.fill_type not in (None, "none")
                if filled:  # a coloured cell says in words what its colour does
                    assert cell.value not in (None, ""), f"{ws.title}!{cell.coordinate}"


def test_the_round_workbook_is_an_accessible_document(app: Flask, seeded_round: uuid.UUID) -> None:
    wb, _ = _export(app, seeded_round)
    with app.app_context():
        name = db.session.get(FeedbackRound, seeded_round).name  # type: ignore[union-attr]
    _check(wb, f"Feedback results: {name}")


def test_the_assessment_workbook_is_an_accessible_document(
    app: Flask, client: FlaskClient, make_user: Any
) -> None:
    assessment_id = _assessment(app, make_user)
    login(client, "fac@a.example")
    wb = _download(client, assessment_id)
    _check(wb, "Self-assessment: Spring self-evaluation")


def test_the_paper_entry_template_is_an_accessible_document(
    app: Flask, client: FlaskClient, live_round: uuid.UUID
) -> None:
    """The template staff type paper answers into: headed, its questions a header row that is
    frozen and printed on every page, the answers chosen from words (never colours)."""
    data = client.get(f"/exports/rounds/{live_round}/paper/parents.xlsx").data
    wb = load_workbook(io.BytesIO(data))
    assert wb.properties.language == "en-GB"
    assert (wb.properties.title or "").startswith("Paper questionnaires: ")
    instructions, entry = wb.worksheets[0], wb["Entry"]
    assert instructions["B1"].value and instructions["B1"].font.b  # a heading, first thing
    assert entry.freeze_panes == "B2"
    assert entry.print_title_rows == "$1:$1"
    headers = [c.value for c in entry[1]]
    assert headers and all(isinstance(h, str) and h.strip() for h in headers)
    assert all(c.font.b for c in entry[1])
    lists = [v.formula1 for v in entry.data_validations.dataValidation]
    assert lists, "answers are chosen from lists of words"
