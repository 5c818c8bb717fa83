"""The translation workbook (issue 17): export, fill in, import all or nothing; every problem by
row and column; the respondent pages then show the translations; launch waits for them."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from app.extensions import db
from app.invitations.common import audience_labels
from app.models import FeedbackRound
from app.services.launch import plan_launch
from app.services.responding import today
from tests.app.rounds.test_round_pages import _text
from tests.support import csrf_token

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def round_id(app: Flask, make_round: Callable[..., uuid.UUID]) -> uuid.UUID:
    found = make_round(audiences=["parents"], indicator_ids=["2.1"], languages=["en", "cy", "ar"])
    return found


def _download(client: FlaskClient, round_id: uuid.UUID) -> Any:
    response = client.get(f"/rounds/{round_id}/translations.xlsx")
    assert response.status_code == 200 and response.mimetype == XLSX
    return load_workbook(io.BytesIO(response.data))


def _upload(client: FlaskClient, round_id: uuid.UUID, book: Any) -> Any:
    out = io.BytesIO()
    book.save(out)
    data = {"csrf_token": csrf_token(client, "/"), "file": (io.BytesIO(out.getvalue()), "t.xlsx")}
    return client.post(f"/rounds/{round_id}/translations", data=data)


def _fill(book: Any) -> None:
    ws = book["Translations"]
    header = [c.value for c in ws[1]]
    cy, ar = header.index("cy: Welsh (Cymraeg)") + 1, header.index("ar: Arabic (العربية)") + 1
    for row in range(2, ws.max_row + 1):
        english = ws.cell(row, 5).value
        ws.cell(row, cy).value = f"CY {english}"
        ws.cell(row, ar).value = f"AR {english}"


def _stored(app: Flask, round_id: uuid.UUID) -> list[dict[str, Any]]:
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        return [dict(q.translations or {}) for q in rnd.questionnaires]


def _problems(app: Flask, round_id: uuid.UUID) -> list[str]:
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        return plan_launch(rnd, audience_labels(rnd), today()).problems


def test_the_workbook_round_trip(
    app: Flask, client: FlaskClient, coordinator: Any, round_id: uuid.UUID
) -> None:
    book = _download(client, round_id)
    ws = book["Translations"]
    header = [c.value for c in ws[1]]
    assert header == [
        "Questionnaire", "Part", "Key", "Where", "English",
        "cy: Welsh (Cymraeg)", "ar: Arabic (العربية)", "Status",
    ]  # fmt: skip
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert {r[1] for r in rows} == {"intro", "section", "item"}
    assert all(r[7] == "Missing: cy, ar" for r in rows)
    missing = _problems(app, round_id)
    assert any("The Welsh translation is not complete" in p for p in missing)
    assert any("The Arabic translation is not complete" in p for p in missing)

    _fill(book)
    response = _upload(client, round_id, book)
    assert response.status_code == 303
    again = list(_download(client, round_id)["Translations"].iter_rows(min_row=2, values_only=True))
    assert all(r[5] == f"CY {r[4]}" and r[6] == f"AR {r[4]}" for r in again)
    assert all(r[7] == "Complete" for r in again)
    assert not any("translation" in p for p in _problems(app, round_id))
    page = _text(client.get(f"/rounds/{round_id}/translations"))
    assert "Welsh ( Cymraeg ): complete" in page


@pytest.mark.parametrize(
    ("spoil", "expected"),
    [
        (lambda ws: ws.delete_cols(5), "Row 1: The column “English” is missing."),
        (lambda ws: ws.cell(1, 6, "pl: Polish"), "Row 1, column F: “pl: Polish” is not a language"),
        (lambda ws: ws.cell(3, 5, "Changed words"), "Row 3, column E: The English text has been"),
        (lambda ws: ws.cell(4, 6, "x" * 301), "Row 4, column F: This is 301 characters"),
        (
            lambda ws: ws.cell(2, 7, '=HYPERLINK("http://x")'),
            "Row 2, column G: This cell holds a formula",
        ),
        (lambda ws: ws.cell(5, 3, str(uuid.uuid4())), "Row 5, column C: This row is not part"),
    ],
)
def test_bad_workbooks_are_reported_by_row_and_column_and_nothing_is_imported(
    app: Flask,
    client: FlaskClient,
    coordinator: Any,
    round_id: uuid.UUID,
    spoil: Callable[[Any], None],
    expected: str,
) -> None:
    book = _download(client, round_id)
    _fill(book)
    spoil(book["Translations"])
    response = _upload(client, round_id, book)
    assert response.status_code == 422
    assert expected in _text(response)
    assert _stored(app, round_id) == [{}]


def test_respondents_see_the_questionnaire_in_their_language(
    app: Flask, client: FlaskClient, coordinator: Any, round_id: uuid.UUID
) -> None:
    from tests.app.respond.helpers import Browser, invite

    book = _download(client, round_id)
    _fill(book)
    assert _upload(client, round_id, book).status_code == 303
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        from app.models import RoundStatus
        from app.services.rounds import freeze

        freeze(rnd)
        rnd.status = RoundStatus.LIVE
        rnd.opens_on = today() - timedelta(days=1)
        rnd.closes_on = today() + timedelta(days=9)
        db.session.commit()
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    phone = Browser(client)
    phone.enter(f"/r/{invite(app, round_id)}?lang=cy")
    assert "CY " in phone.text  # the introduction
    phone.start()
    assert phone.text.count("CY ") >= 2  # the section heading and its statements
    assert "Cytuno’n gryf" in phone.text
    phone.get(phone.locations[-1] + "?lang=en")
    assert "CY " not in phone.text


def test_bank_statements_in_other_languages_become_the_questionnaires_translations(
    app: Flask, make_round: Callable[..., uuid.UUID]
) -> None:
    from pathlib import Path

    import yaml

    from app.services.accounts import get_or_create_organisation
    from app.services.frameworks import import_upload

    path = Path(__file__).resolve().parents[3] / "frameworks" / "hmie-children-services.yaml"
    data = yaml.safe_load(path.read_text())
    data["id"] = "hmie-welsh"
    indicator = next(i for i in data["indicators"] if i["id"] == "2.1")
    first = indicator["items"]["parents"][0]
    english = first if isinstance(first, str) else first["statement"]
    indicator["items"]["parents"][0] = {"statement": english, "statements": {"cy": "Datganiad."}}
    with app.app_context():
        org = get_or_create_organisation("Org A")
        import_upload(org.id, yaml.safe_dump(data, allow_unicode=True).encode(), "w.yaml")
        db.session.commit()
    round_id = make_round(
        framework_id="hmie-welsh",
        audiences=["parents"],
        indicator_ids=["2.1"],
        languages=["en", "cy"],
    )
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        (q,) = rnd.questionnaires
        item = next(i for i in q.items if i.statement == " ".join(english.split()))
        assert q.translations["cy"]["items"] == {str(item.id): "Datganiad."}


def test_a_copy_keeps_the_languages_and_translations(
    app: Flask, client: FlaskClient, coordinator: Any, round_id: uuid.UUID
) -> None:
    from app.services.accounts import get_or_create_organisation
    from app.services.rounds import copy_round

    book = _download(client, round_id)
    _fill(book)
    assert _upload(client, round_id, book).status_code == 303
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        copy = copy_round(rnd, get_or_create_organisation("Org A"))
        db.session.commit()
        assert copy.languages == ["en", "cy", "ar"]
        (q,) = copy.questionnaires
        assert {str(i.id) for i in q.items} == set(q.translations["cy"]["items"])
        assert all(q.translations["cy"]["items"][str(i.id)] == f"CY {i.statement}" for i in q.items)
        assert not any("translation" in p for p in _problems(app, copy.id))


def test_a_rounds_own_audience_is_translated_through_the_workbook(
    app: Flask, client: FlaskClient, coordinator: Any, round_id: uuid.UUID
) -> None:
    """Issue 22: its name and its plural are rows of their own, beside its statements."""
    added = client.post(
        f"/rounds/{round_id}/audiences",
        data={
            "csrf_token": csrf_token(client, "/"),
            "name": "Elected members",
            "plural": "",
            "scale": "agree4",
            "channels": ["open_link"],
            "resembles": "parents",
        },
    )
    assert added.status_code == 303
    book = _download(client, round_id)
    rows = [[c.value for c in row] for row in book["Translations"].iter_rows(min_row=2)]
    own = [r for r in rows if r[0] == "c-elected-members"]
    assert [(r[1], r[2], r[4]) for r in own[:2]] == [
        ("audience", "name", "Elected members"),
        ("audience", "plural", "elected members"),
    ]
    _fill(book)
    assert _upload(client, round_id, book).status_code == 303
    assert not [p for p in _problems(app, round_id) if "translation" in p]
    (words,) = [w for w in _stored(app, round_id) if w["cy"].get("audience")]
    assert words["cy"]["audience"] == {"name": "CY Elected members", "plural": "CY elected members"}
