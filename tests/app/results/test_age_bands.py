"""Each age band reported apart (issue 20, DESIGN.md 5 and 6): results, the API, the round
workbook (read back with openpyxl) and comparisons across rounds keep every band a group of
its own, never pooled with another band or with adults, a small band suppressed alone."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from app.extensions import db
from app.models import FeedbackRound, Role
from app.services.accounts import find_user_by_email, get_or_create_organisation
from app.services.api_tokens import create_token
from app.services.results import CellStatus, close_round, compare_rounds, round_results
from tests.support import login

BANDS = ("under_8", "8_to_12", "13_plus")
GROUPS = ("children_under_8", "children_8_to_12", "children_13_plus")


@pytest.fixture
def banded(live_round, respond, app: Flask) -> uuid.UUID:
    """k = 5: staff 8, 13 and over 9, 8 to 12 6 (faces), under 8 3 (faces, too few)."""
    rid = live_round(indicators=["2.1"], audiences=["staff", "children"], children_bands=BANDS)
    respond(rid, "staff", {"sa": 4, "a": 2, "d": 2})
    respond(rid, "children_13_plus", {"sa": 3, "a": 3, "d": 3})
    respond(rid, "children_8_to_12", {"happy": 5, "sad": 1})
    respond(rid, "children_under_8", {"happy": 1, "sad": 2})
    _close(app, rid)
    return rid


def _close(app: Flask, rid: uuid.UUID) -> None:
    with app.app_context():
        rnd = db.session.get(FeedbackRound, rid)
        assert rnd is not None
        close_round(rnd)
        db.session.commit()


def test_every_band_is_a_group_of_its_own_and_a_small_band_is_suppressed_alone(
    app: Flask, banded: uuid.UUID
) -> None:
    with app.app_context():
        rnd = db.session.get(FeedbackRound, banded)
        assert rnd is not None
        results = round_results(rnd)
    assert [a.audience for a in results.audiences] == ["staff", *GROUPS]
    status = {a.audience: a.status for a in results.audiences}
    assert status["children_under_8"] == CellStatus.SUPPRESSED
    assert status["children_8_to_12"] == status["children_13_plus"] == CellStatus.SHOWN
    assert results.audience("children_13_plus").respondents == 9
    assert results.audience("children_8_to_12").respondents == 6
    assert results.audience("children_under_8").respondents is None
    # 8 + 9 + 6 shown: a total would give the 3 under-8s away, so it is hidden.
    assert results.total_respondents is None
    cells = results.indicator("2.1").cells
    assert "children" not in cells
    assert cells["children_under_8"].status == CellStatus.SUPPRESSED
    assert cells["children_8_to_12"].scale_id == "faces3"
    assert cells["children_13_plus"].scale_id == "agree4"
    assert cells["children_8_to_12"].respondents == 6
    # Faces and the four-point scale are never in one column, nor bands in one.
    assert {c.audience for c in results.columns} == {"staff", *GROUPS}
    assert all(c.key != "children" for c in results.columns)


def test_the_results_page_and_the_api_show_the_bands_apart(
    app: Flask, client: FlaskClient, banded: uuid.UUID, make_user: Callable[..., object]
) -> None:
    make_user("coord@a.example", "Org A", Role.COORDINATOR)
    login(client, "coord@a.example")
    page = client.get(f"/results/{banded}").get_data(as_text=True)
    for label in ("Children under 8", "Children 8 to 12", "Young people 13 and over"):
        assert label in page
    with app.app_context():
        org = get_or_create_organisation("Org A")
        user = find_user_by_email("coord@a.example")
        assert user is not None
        secret = create_token(org.id, user, "Bands", ["read_results"], 30).secret
        db.session.commit()
    body = client.get(
        f"/api/v1/rounds/{banded}/results", headers={"Authorization": f"Bearer {secret}"}
    ).get_json()
    audiences = {a["audience"]: a for a in body["audiences"]}
    assert set(audiences) == {"staff", *GROUPS}
    assert audiences["children_8_to_12"]["respondents"] == 6
    assert audiences["children_under_8"]["respondents"] == {
        "suppressed": True,
        "reason": "fewer than 5 responses",
    }
    assert "children" not in audiences


def test_the_workbook_keeps_each_band_apart(
    client: FlaskClient, banded: uuid.UUID, make_user: Callable[..., object]
) -> None:
    make_user("coord@a.example", "Org A", Role.COORDINATOR)
    login(client, "coord@a.example")
    with client.get(f"/exports/rounds/{banded}.xlsx") as response:
        assert response.status_code == 200
        wb = load_workbook(io.BytesIO(response.get_data()))
    ws = wb["Indicators"]
    (_name, ref), *_ = ws.tables.items()
    rows = [[c.value for c in row] for row in ws[ref]]
    header, records = rows[0], [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert "Audience" in header
    by_audience = {r["Audience"]: r for r in records}
    assert set(by_audience) == {
        "Staff",
        "Children under 8",
        "Children 8 to 12",
        "Young people 13 and over",
    }
    assert by_audience["Children 8 to 12"]["Respondents"] == 6
    assert by_audience["Young people 13 and over"]["Respondents"] == 9
    assert by_audience["Children under 8"]["Respondents"] == "fewer than 5"
    # The faces sheet has the two faces bands, each row its own band; never a pooled row.
    faces = wb["Items (faces)"]
    (_name, ref), *_ = faces.tables.items()
    face_rows = [[c.value for c in row] for row in faces[ref]]
    audience_col = face_rows[0].index("Audience")
    assert {r[audience_col] for r in face_rows[1:]} == {"Children under 8", "Children 8 to 12"}
    everything = [c.value for s in wb.worksheets for row in s.iter_rows() for c in row]
    assert "Children and young people" not in everything
    # A sheet of responses for each band shown, none for the small band.
    titles = " | ".join(wb.sheetnames)
    assert "8 to 12" in titles and "13 and over" in titles and "under 8" not in titles


def test_rounds_compare_band_to_band_and_never_with_a_legacy_one_band_round(
    app: Flask, live_round, respond, banded: uuid.UUID
) -> None:
    earlier = live_round(
        name="Last year", indicators=["2.1"], audiences=["staff", "children"], children_bands=BANDS
    )
    respond(earlier, "staff", {"sa": 2, "a": 2, "d": 4})
    respond(earlier, "children_13_plus", {"sa": 1, "a": 2, "d": 6})
    respond(earlier, "children_8_to_12", {"happy": 2, "sad": 4})
    _close(app, earlier)
    legacy = live_round(
        name="Before bands",
        indicators=["2.1"],
        audiences=["staff", "children"],
        children_bands=("under_12",),
    )
    respond(legacy, "staff", {"sa": 2, "a": 2, "d": 4})
    respond(legacy, "children", {"happy": 2, "sad": 4})
    _close(app, legacy)
    with app.app_context():
        now = db.session.get(FeedbackRound, banded)
        before = db.session.get(FeedbackRound, earlier)
        old = db.session.get(FeedbackRound, legacy)
        assert now is not None and before is not None and old is not None
        bands = compare_rounds(now, before)
        across = compare_rounds(now, old)
    compared = {c.audience for c in bands.items if c.change is not None}
    assert compared == {"staff", "children_13_plus", "children_8_to_12"}
    assert {c.audience for c in bands.items} <= {"staff", *GROUPS}
    for item in bands.items:
        if item.audience == "children_under_8":  # too few now, none then: not compared
            assert item.change is None and item.reason
        if item.audience == "children_8_to_12":
            assert item.scale_id == "faces3"
    assert {c.audience for c in across.items} == {"staff"}  # "children" is no band


def test_the_word_report_names_each_band_and_gives_the_small_band_no_figure(
    client: FlaskClient, banded: uuid.UUID, make_user: Callable[..., object]
) -> None:
    import docx

    make_user("coord@a.example", "Org A", Role.COORDINATOR)
    login(client, "coord@a.example")
    with client.get(f"/results/{banded}/report.docx") as response:
        assert response.status_code == 200
        document = docx.Document(io.BytesIO(response.get_data()))
    rows = [[c.text for c in row.cells] for table in document.tables for row in table.rows]
    text = "\n".join(" | ".join(r) for r in rows) + "\n".join(p.text for p in document.paragraphs)
    for label in ("Children 8 to 12", "Young people 13 and over", "Children under 8"):
        assert label in text, label
    assert "Children and young people |" not in text  # no pooled row
    small = [r for r in rows if any(c.startswith("Children under 8") for c in r)]
    assert small
    for row in small:
        assert not any(cell.strip().endswith("%") for cell in row[1:]), row


def test_each_band_has_its_own_paper_template(
    client: FlaskClient, live_round, make_user: Callable[..., object]
) -> None:
    rid = live_round(indicators=["2.1"], audiences=["children"], children_bands=BANDS)
    make_user("coord@a.example", "Org A", Role.COORDINATOR)
    login(client, "coord@a.example")
    page = client.get(f"/exports/rounds/{rid}/paper").get_data(as_text=True)
    for group in GROUPS:
        assert f"/exports/rounds/{rid}/paper/{group}.xlsx" in page
        with client.get(f"/exports/rounds/{rid}/paper/{group}.xlsx") as response:
            assert response.status_code == 200
            wb = load_workbook(io.BytesIO(response.get_data()))
        words = " ".join(
            str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value
        )
        label = {"children_under_8": "Children under 8", "children_8_to_12": "Children 8 to 12"}
        assert label.get(group, "Young people 13 and over") in words
