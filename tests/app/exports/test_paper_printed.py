"""The printed paper questionnaire in each of the round's languages (issue 17): read back from
the PDF; a form typed in as Welsh is counted among the languages at release and its answers
pool with the English ones into one figure."""

from __future__ import annotations

import io
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader

from app.extensions import db
from app.models import RoundStatus
from app.services.documents import paper
from app.services.translations import ITEM, SECTION, store
from tests.app.exports.conftest import fill_template, load_round, make_round
from tests.app.exports.test_paper import _template, _text, _upload_with
from tests.support import release_all


def _welsh(statement: str) -> str:
    return f"Cymraeg {statement[:30].strip()} diwedd"  # recognisable, short enough not to wrap


@pytest.fixture
def bilingual_round(app: Flask, coordinator: Any) -> uuid.UUID:
    """A live round offering English, Welsh and Arabic, its parents' words translated."""
    round_id = make_round(app, audiences=["parents"], threshold=3, role_question=False)
    with app.app_context():
        rnd = load_round(round_id)
        rnd.status = RoundStatus.DRAFT  # translations are stored on a draft, then frozen
        rnd.languages = ["en", "cy", "ar"]
        q = paper.questionnaire_for(rnd, "parents")
        cells: dict[tuple[str, str, str, str], str] = {}
        for item in q.items:
            cells[("parents", ITEM, str(item.id), "cy")] = _welsh(item.statement)
            cells[("parents", ITEM, str(item.id), "ar")] = f"عبارة {item.position}"
        for section in q.sections:
            cells[("parents", SECTION, section["id"], "cy")] = f"Adran {section['id']}"
        store(rnd, cells)
        rnd.status = RoundStatus.LIVE
        db.session.commit()
    return round_id


def _pdf(client: FlaskClient, round_id: uuid.UUID, lang: str) -> PdfReader:
    response = client.get(f"/exports/rounds/{round_id}/paper/parents.pdf?lang={lang}")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/pdf"
    return PdfReader(io.BytesIO(response.data))


def _words(reader: PdfReader) -> str:
    return " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())


def test_the_welsh_questionnaire_prints_its_translated_items_and_interface(
    app: Flask, client: FlaskClient, bilingual_round: uuid.UUID
) -> None:
    page = client.get(f"/exports/rounds/{bilingual_round}/paper").get_data(as_text=True)
    for code in ("en", "cy", "ar"):
        assert f"/paper/parents.pdf?lang={code}" in page
    assert '<span lang="cy" dir="ltr">Cymraeg</span>' in page

    reader = _pdf(client, bilingual_round, "cy")
    text = _words(reader)
    with app.app_context():
        q = paper.questionnaire_for(load_round(bilingual_round), "parents")
        items = sorted(q.items, key=lambda i: i.position)
        statements = [(i.position, i.statement) for i in items]
        sections = [s["id"] for s in q.sections]
    for n, (_, english) in enumerate(statements, start=1):
        assert f"Cwestiwn {n} {_welsh(english)}" in text  # numbered like the entry columns
        assert english not in text
    for section in sections:
        assert f"Adran {section}" in text
    assert "Cytuno’n gryf" in text and "Strongly agree" not in text  # scale from the catalog
    assert "Sut i lenwi’r ffurflen hon" in text  # the form's own instructions, in Welsh
    assert str(reader.trailer["/Root"]["/Lang"]) == "cy"
    assert reader.metadata is not None and "arolwg" in str(reader.metadata.title).lower()


def test_arabic_prints_right_to_left_and_english_is_the_default(
    app: Flask, client: FlaskClient, bilingual_round: uuid.UUID
) -> None:
    from app.services.documents.paper.printed import paper_html

    arabic = _pdf(client, bilingual_round, "ar")
    assert str(arabic.trailer["/Root"]["/Lang"]) == "ar"
    assert "عبارة" in _words(arabic)
    with app.test_request_context("/"):
        rnd = load_round(bilingual_round)
        html = paper_html(rnd, paper.questionnaire_for(rnd, "parents"), "ar", "Org A")
    assert re.search(r'<html lang="ar" dir="rtl">', html)
    # An unknown or unoffered language falls back to the round's default, no error.
    for lang in ("xx", "de", ""):
        fallback = _pdf(client, bilingual_round, lang)
        assert str(fallback.trailer["/Root"]["/Lang"]) == "en-GB"
        assert "Strongly agree" in _words(fallback)


def test_printing_waits_for_launch_and_is_for_coordinators(
    app: Flask, client: FlaskClient, coordinator: Any
) -> None:
    draft = make_round(app, name="Draft", status=RoundStatus.DRAFT)
    response = client.get(f"/exports/rounds/{draft}/paper/parents.pdf")
    assert response.status_code == 409 and "Launch it first" in _text(response)
    live = make_round(app, name="Live")
    assert client.get(f"/exports/rounds/{live}/paper/nobody.pdf").status_code == 404


def test_a_welsh_paper_form_is_counted_as_welsh_and_pooled_with_english(
    app: Flask, client: FlaskClient, bilingual_round: uuid.UUID
) -> None:
    from sqlalchemy import select

    from app.models import LanguageCount
    from app.services.results import round_results

    with app.app_context():
        columns = paper.entry_columns(
            paper.questionnaire_for(load_round(bilingual_round), "parents")
        )
    first = next(c for c in columns if c.kind == paper.ITEM)
    welsh = {row: {first.letter: "Agree"} for row in (2, 3, 4)}
    english = {row: {first.letter: "Disagree"} for row in (2, 3, 4, 5)}
    for rows, lang in ((welsh, "cy"), (english, "en")):
        data = fill_template(_template(client, bilingual_round), rows)
        assert _upload_with(client, bilingual_round, data, language=lang).status_code == 303
    release_all(app)
    with app.app_context():
        rnd = load_round(bilingual_round)
        rnd.status, rnd.closed_at = RoundStatus.CLOSED, datetime.now(UTC)
        rnd.closes_on = rnd.opens_on = (datetime.now(UTC) - timedelta(days=2)).date()
        db.session.commit()
        counted = dict(
            db.session.execute(select(LanguageCount.language, LanguageCount.count)).all()
        )
        results = round_results(load_round(bilingual_round))
    assert counted == {"cy": 3, "en": 4}
    item = next(i for i in results.items if str(i.item_id) == first.key)
    assert {k: v for k, v in (item.distribution or {}).items() if v} == {"a": 3, "d": 4}
    assert item.cell.respondents == 7 and item.cell.favourable == 3  # one figure, both languages
    page = " ".join(_text(client.get(f"/results/{bilingual_round}")).split())
    row = page[page.index("Responses per group and language") :]
    assert "Group English Welsh" in row and "Parents and carers 4 3" in row
