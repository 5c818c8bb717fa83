"""Importing a closed round's results: immutable evidence with figures and provenance, nothing
overwritten by a later round, suppressed groups kept suppressed, bad rounds refused; and the
SAT-versus-stakeholder flags built on the import."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, EvidenceItem, EvidenceSourceType, RoundStatus
from app.models.assessment import ImmutableEvidence
from app.services.synthetic import items_of
from tests.app.assessment.conftest import FAY, MO, SAM, TEAM, VIC
from tests.app.assessment.helpers import (
    closed_round,
    make_assessment,
    post,
    snapshot,
    text,
)

# Twelve parents answer every item: 1 agree, 11 disagree. Three staff (under k = 5, suppressed).
# Six children, all happy. (The results service hides the all-audience total, so the staff's 3
# cannot be found by subtraction and parents and children can both be shown.)
ANSWERS = {
    "parents": {"a": 1, "d": 11},
    "staff": {"sa": 3},
    "children_8_to_12": {"happy": 6},  # an age band, its own group (issue 20)
}
INVITED = {"parents": 20, "staff": 4, "children_8_to_12": 0}


def _url(assessment_id: uuid.UUID, tail: str = "") -> str:
    return f"/assessments/{assessment_id}{tail}"


def _imported(app: Flask, assessment_id: uuid.UUID) -> list[EvidenceItem]:
    with app.app_context():
        items = db.session.execute(
            select(EvidenceItem)
            .where(EvidenceItem.assessment_id == assessment_id, EvidenceItem.payload.is_not(None))
            .order_by(EvidenceItem.indicator_id, EvidenceItem.created_at)
        ).scalars()
        found = list(items)
        for item in found:
            db.session.expunge(item)
        return found


def _parent_items(app: Flask, round_id: uuid.UUID, indicator: str) -> int:
    from app.models import FeedbackRound

    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        return sum(1 for i in items_of(rnd, "parents") if i.indicator_id == indicator)


def test_import_adds_one_immutable_item_per_shared_indicator(app, as_user, assessment_id):
    round_id = closed_round(app, answers=ANSWERS, invited=INVITED, indicators=("2.1", "2.2", "6.1"))
    response = post(as_user(MO), _url(assessment_id, "/import"), {"round_id": str(round_id)})
    assert response.status_code == 303, text(response)[:2000]
    items = _imported(app, assessment_id)
    # The assessment has 2.1, 2.2, 5.1; the round 2.1, 2.2, 6.1: only the overlap is imported.
    assert [i.indicator_id for i in items] == ["2.1", "2.2"]
    with app.app_context():
        (entry,) = db.session.execute(
            select(AuditEntry).where(AuditEntry.action == "assessment.round_imported")
        ).scalars()
        assert entry.round_id == round_id and entry.details == {"indicators": 2}
    item = items[0]
    assert item.source_type == EvidenceSourceType.STAKEHOLDER_VIEWS
    assert item.imported_round_id == round_id
    payload = item.payload
    assert payload is not None
    # Provenance: round name and dates, threshold, invited and completed per audience.
    assert payload["round"]["name"] == "Spring listening"
    assert payload["round"]["id"] == str(round_id)
    assert payload["round"]["closes_on"] == (date.today() - timedelta(days=1)).isoformat()
    assert payload["round"]["closed_on"] == date.today().isoformat()
    assert payload["threshold"] == 5
    audiences = {a["audience"]: a for a in payload["audiences"]}
    assert audiences["parents"]["invited"] == 20
    assert audiences["parents"]["respondents"] == 12
    assert audiences["staff"]["invited"] == 4  # invitations are not a figure about respondents
    # Figures: parents' pooled answers for 2.1 are exactly what was put in.
    cells = {c["audience"]: c for c in payload["cells"]}
    n = _parent_items(app, round_id, "2.1")
    parents = cells["parents"]
    assert (parents["favourable"], parents["base"]) == (n, 12 * n)
    assert parents["percent"] == pytest.approx(100 / 12)
    assert parents["word"] == "few"
    assert parents["evidence"].startswith("Few parents")
    assert parents["evidence"] in item.description
    # Item-level sentences travel too.
    assert len([i for i in payload["items"] if i["audience"] == "parents"]) == n


def test_suppressed_groups_stay_suppressed_in_the_evidence(app, as_user, assessment_id):
    round_id = closed_round(app, answers=ANSWERS, invited=INVITED)
    post(as_user(MO), _url(assessment_id, "/import"), {"round_id": str(round_id)})
    for item in _imported(app, assessment_id):
        assert item.payload is not None
        audiences = {a["audience"]: a for a in item.payload["audiences"]}
        staff_summary = audiences["staff"]
        assert staff_summary["suppressed"] is True
        for key in ("completed", "respondents", "open_link_responses", "paper_responses"):
            assert staff_summary[key] is None
        assert audiences["children_8_to_12"]["respondents"] == 6  # shown groups keep their counts
        cells = {c["audience"]: c for c in item.payload["cells"]}
        staff = cells["staff"]
        assert staff["suppressed"] is True
        assert staff["evidence"] == "Fewer than 5 responses"
        shown_only = {"favourable", "base", "percent", "ci_low", "ci_high", "respondents"}
        assert not (shown_only | {"people"}) & set(staff)
        assert cells["parents"]["people"] == 12  # a shown group says how many people
        assert "Staff: Fewer than 5 responses." in item.description
        for row in item.payload["items"]:
            if row["audience"] == "staff":
                assert "base" not in row and "favourable" not in row
    # And the pages built on the import show the notice, never a small group's count.
    page = text(as_user(MO).get(_url(assessment_id, "/stakeholders")))
    assert "Fewer than 5 responses" in page
    assert ">3<" not in page


def test_later_round_adds_items_beside_the_old_and_latest_is_compared(app, as_user, assessment_id):
    first = closed_round(
        app,
        name="Autumn",
        answers={"parents": {"a": 12}, "staff": {"sa": 6}},
        closes_on=date.today() - timedelta(days=200),
    )
    post(as_user(MO), _url(assessment_id, "/import"), {"round_id": str(first)})
    old = _imported(app, assessment_id)
    second = closed_round(app, name="Spring", answers=ANSWERS, invited=INVITED)
    assert (
        post(as_user(SAM), _url(assessment_id, "/import"), {"round_id": str(second)}).status_code
        == 303
    )
    now = _imported(app, assessment_id)
    assert len(now) == 2 * len(old)
    kept = {i.id: i.payload for i in now}
    for item in old:
        assert kept[item.id] == item.payload  # nothing overwritten
    # The comparison page reads the latest round (Spring, 1 in 12 favourable).
    page = text(as_user(MO).get(_url(assessment_id, "/stakeholders")))
    assert "Few parents" in page and "“Spring”" in page


def test_importing_the_same_round_twice_changes_nothing(app, as_user, assessment_id):
    round_id = closed_round(app, answers=ANSWERS)
    post(as_user(MO), _url(assessment_id, "/import"), {"round_id": str(round_id)})
    before = snapshot(app, assessment_id)
    again = post(as_user(MO), _url(assessment_id, "/import"), {"round_id": str(round_id)})
    assert again.status_code == 422
    assert "already been imported" in text(again)
    assert snapshot(app, assessment_id) == before


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("open", "is still open"),
        ("draft", "is still a draft"),
        ("other_org", "no feedback round with that reference in your organisation"),
        ("other_framework", "asked about another framework"),
        ("no_overlap", "asked about none of this assessment's indicators"),
        ("garbage", "no feedback round with that reference"),
    ],
)
def test_bad_rounds_are_refused_with_a_clear_message(app, as_user, assessment_id, kind, message):
    if kind == "open":
        round_id = str(closed_round(app, answers=ANSWERS, close=False))
    elif kind == "draft":
        from app.models import FeedbackRound

        round_id = str(closed_round(app, answers={"parents": {}}, close=False))
        with app.app_context():
            rnd = db.session.get(FeedbackRound, uuid.UUID(round_id))
            rnd.status = RoundStatus.DRAFT
            db.session.commit()
    elif kind == "other_org":
        round_id = str(closed_round(app, org_name="Org B", answers=ANSWERS))
    elif kind == "other_framework":
        round_id = str(
            closed_round(
                app,
                framework_id="csit-collaborative-working",
                indicators=("cw-1",),
                answers={"staff": {"sa": 6}},
            )
        )
    elif kind == "no_overlap":
        round_id = str(closed_round(app, indicators=("6.1",), answers={"staff": {"sa": 6}}))
    else:
        round_id = "not-a-round"
    before = snapshot(app, assessment_id)
    response = post(as_user(MO), _url(assessment_id, "/import"), {"round_id": round_id})
    assert response.status_code == 422
    assert message in text(response)
    assert snapshot(app, assessment_id) == before


def test_imported_items_cannot_be_edited_or_deleted(app, as_user, assessment_id):
    round_id = closed_round(app, answers=ANSWERS)
    post(as_user(MO), _url(assessment_id, "/import"), {"round_id": str(round_id)})
    item = _imported(app, assessment_id)[0]
    before = snapshot(app, assessment_id)
    fay = as_user(FAY)
    edit_url = _url(assessment_id, f"/evidence/{item.id}/edit")
    assert fay.get(edit_url).status_code == 403
    edit = post(fay, edit_url, {"source_type": "documentation", "description": "rewritten"})
    assert edit.status_code == 403
    assert "cannot be changed or deleted" in text(edit)
    delete = post(fay, _url(assessment_id, f"/evidence/{item.id}/delete"))
    assert delete.status_code == 403
    assert snapshot(app, assessment_id) == before
    # Behind the services, the model itself refuses a change or a delete at flush.
    with app.app_context():
        row = db.session.get(EvidenceItem, item.id)
        row.description = "tampered"
        with pytest.raises(ImmutableEvidence):
            db.session.flush()
        db.session.rollback()
        row = db.session.get(EvidenceItem, item.id)
        db.session.delete(row)
        with pytest.raises(ImmutableEvidence):
            db.session.flush()
        db.session.rollback()
    assert snapshot(app, assessment_id) == before


def test_viewer_cannot_import(app, as_user, assessment_id):
    round_id = closed_round(app, answers=ANSWERS)
    before = snapshot(app, assessment_id)
    response = post(as_user(VIC), _url(assessment_id, "/import"), {"round_id": str(round_id)})
    assert response.status_code == 403
    assert snapshot(app, assessment_id) == before


# -- SAT versus stakeholders: flags on real imported figures ----------------------------------


def _agree(as_user, assessment_id, ind: str, rating: str) -> None:
    response = post(
        as_user(FAY),
        _url(assessment_id, f"/indicators/{ind}"),
        {"agreed_rating": rating, "strengths": "s"},
    )
    assert response.status_code == 303


def test_blind_spot_and_hidden_strength_beside_agreed_ratings(app, as_user, people):
    assessment_id = make_assessment(app, TEAM, choices=("indicator:2.1", "indicator:2.2"))
    # Parents: 1 in 12 favourable on every item; 2.1 pools 4 items, 4 of 48 from 12 people.
    # The flag reads the clustered interval: at its widest (one parent agreeing with all four,
    # n_eff = 12 people) the upper bound is 35% < 50%, so "good" (4) is a blind spot. Staff: all
    # 12 favourable; 2.2 pools 2 items, 24 of 24 (no variance: n_eff = 24 answers): lower bound
    # 86.2% >= 75%, so "adequate" (3) is a hidden strength.
    # (2.1's staff at 100% agree with "good"; 2.2's parents agree with "adequate".)
    round_id = closed_round(app, answers={"parents": {"a": 1, "d": 11}, "staff": {"sa": 12}})
    post(as_user(MO), _url(assessment_id, "/import"), {"round_id": str(round_id)})
    assert post(as_user(FAY), _url(assessment_id, "/discussion")).status_code == 303
    _agree(as_user, assessment_id, "2.1", "4")
    _agree(as_user, assessment_id, "2.2", "3")
    page = text(as_user(MO).get(_url(assessment_id, "/stakeholders")))
    first = page[page.index(">2.1 ") : page.index(">2.2 ")]
    second = page[page.index(">2.2 ") :]
    assert "Possible blind spot" in first and "parents and carers" in first.lower()
    assert "Possible hidden strength" not in first
    assert "Possible hidden strength" in second and "staff" in second.lower()
    assert "<strong>2</strong> indicators flagged" in page
    # The same words appear beside the rating on the indicator page and the overview.
    assert "Possible blind spot" in text(as_user(MO).get(_url(assessment_id, "/indicators/2.1")))
    assert "Possible hidden strength" in text(as_user(MO).get(_url(assessment_id)))


def test_no_flag_when_figures_agree_with_the_rating(app, as_user, people):
    assessment_id = make_assessment(app, TEAM, choices=("indicator:2.2",))
    round_id = closed_round(app, answers={"parents": {"a": 1, "d": 11}, "staff": {"sa": 3, "d": 3}})
    post(as_user(MO), _url(assessment_id, "/import"), {"round_id": str(round_id)})
    assert post(as_user(FAY), _url(assessment_id, "/discussion")).status_code == 303
    _agree(as_user, assessment_id, "2.2", "2")  # weak, and parents are negative: consistent
    page = text(as_user(MO).get(_url(assessment_id, "/stakeholders")))
    assert 'class="flag flag-' not in page
    assert "<strong>0</strong> indicators flagged" in page


def test_two_imports_at_once_keep_one_set_of_items(app, as_user, assessment_id, monkeypatch):
    """If the 'already imported' check races (two people, one instant), the database's unique
    constraint keeps one set and the second person gets a plain message."""
    from app.services.assessment import imports as assessment_import

    round_id = closed_round(app, answers=ANSWERS)
    post(as_user(MO), _url(assessment_id, "/import"), {"round_id": str(round_id)})
    before = snapshot(app, assessment_id)
    monkeypatch.setattr(assessment_import, "imported_round_ids", lambda assessment: set())
    response = post(as_user(SAM), _url(assessment_id, "/import"), {"round_id": str(round_id)})
    assert response.status_code == 422
    assert "Someone else saved this at the same moment" in text(response)
    assert snapshot(app, assessment_id) == before
