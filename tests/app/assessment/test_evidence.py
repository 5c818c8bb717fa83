"""The evidence log: the four sources, triangulation counts, and editing the team's own items."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import EvidenceItem
from tests.app.assessment.conftest import FAY, MO, VIC
from tests.app.assessment.helpers import post, snapshot, text


def _url(assessment_id: uuid.UUID, tail: str = "") -> str:
    return f"/assessments/{assessment_id}{tail}"


def add(client, assessment_id, ind: str, source: str, description: str = "A thing", **extra):
    return post(
        client,
        _url(assessment_id, f"/indicators/{ind}/evidence"),
        {"source_type": source, "description": description, **extra},
    )


def _row(page: str, ind: str) -> str:
    start = page.index(f">{ind} ")
    return page[start : page.index("</tr>", start)]


def test_triangulation_counts_distinct_sources(app, as_user, assessment_id):
    mo = as_user(MO)
    # 2.1: three documents (one kind) -> rests on one source.
    for n in range(3):
        assert add(mo, assessment_id, "2.1", "documentation", f"Plan {n}").status_code == 303
    # 2.2: documentation, performance data and observation -> triangulated.
    for source in ("documentation", "performance_data", "direct_observation"):
        assert add(mo, assessment_id, "2.2", source).status_code == 303
    # 5.1: nothing.
    page = text(mo.get(_url(assessment_id, "/evidence")))
    assert "<strong>2</strong> of 3 indicators rest on one source or none" in page
    row_21 = _row(page, "2.1")
    assert "Rests on one source only" in row_21 and "(3 items)" in row_21
    assert re.findall(r'<td class="num"[^>]*>(Yes|No)</td>', row_21) == ["No", "Yes", "No", "No"]
    row_22 = _row(page, "2.2")
    assert "Triangulated: 3 kinds of source" in row_22
    assert re.findall(r'<td class="num"[^>]*>(Yes|No)</td>', row_22) == ["Yes", "Yes", "No", "Yes"]
    assert "No evidence recorded" in _row(page, "5.1")
    # Weakest first: 5.1 (none) before 2.1 (one) before 2.2 (three).
    assert page.index(">5.1 ") < page.index(">2.1 ") < page.index(">2.2 ")
    # The indicator page shows the same count, the item's details and who added it.
    ind_page = text(mo.get(_url(assessment_id, "/indicators/2.2")))
    assert "Triangulated: 3 kinds of source" in ind_page
    assert "added by mo@a.example" in ind_page


def test_item_fields_are_kept_and_validated(app, as_user, assessment_id):
    mo = as_user(MO)
    ok = add(
        mo,
        assessment_id,
        "2.1",
        "performance_data",
        "Attendance up 4 points",
        evidence_date="2025-01-31",
        location="Performance team SharePoint",
    )
    assert ok.status_code == 303
    with app.app_context():
        item = db.session.execute(select(EvidenceItem)).scalar_one()
        assert item.evidence_date == date(2025, 1, 31)
        assert item.location == "Performance team SharePoint"
        assert item.payload is None and not item.immutable
    before = snapshot(app, assessment_id)
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    for data, message in (
        ({"source_type": "gossip", "description": "x"}, "Choose the kind of source"),
        ({"source_type": "documentation", "description": "  "}, "Describe the evidence"),
        (
            {"source_type": "documentation", "description": "x", "evidence_date": "31/01/2025"},
            "Enter the date as a real date",
        ),
        (
            {"source_type": "documentation", "description": "x", "evidence_date": tomorrow},
            "cannot be in the future",
        ),
    ):
        response = post(mo, _url(assessment_id, "/indicators/2.1/evidence"), data)
        assert response.status_code == 422, data
        assert message in text(response)
    assert post(mo, _url(assessment_id, "/indicators/9.9/evidence"), {}).status_code == 404
    assert snapshot(app, assessment_id) == before


def test_edit_and_delete_own_items_but_viewers_cannot(app, as_user, assessment_id):
    fay = as_user(FAY)
    add(fay, assessment_id, "2.1", "documentation", "Draft plan")
    with app.app_context():
        item_id = db.session.execute(select(EvidenceItem.id)).scalar_one()
    edit_url = _url(assessment_id, f"/evidence/{item_id}/edit")
    assert "Draft plan" in text(fay.get(edit_url))
    edited = post(fay, edit_url, {"source_type": "documentation", "description": "Final plan"})
    assert edited.status_code == 303
    bad = post(fay, edit_url, {"source_type": "documentation", "description": ""})
    assert bad.status_code == 422
    before = snapshot(app, assessment_id)
    viewer = as_user(VIC)
    assert viewer.get(edit_url).status_code == 403
    assert (
        post(viewer, edit_url, {"source_type": "documentation", "description": "x"}).status_code
        == 403
    )
    assert post(viewer, _url(assessment_id, f"/evidence/{item_id}/delete")).status_code == 403
    assert snapshot(app, assessment_id) == before
    assert post(fay, _url(assessment_id, f"/evidence/{item_id}/delete")).status_code == 303
    with app.app_context():
        assert db.session.execute(select(EvidenceItem)).first() is None
