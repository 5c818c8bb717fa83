"""The consensus view (spread, largest disagreements first) and agreed judgements with history."""

from __future__ import annotations

import re
import uuid

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, Judgement, JudgementChange, JudgementScope
from tests.app.assessment.conftest import FAY, MO, SAM, VIC
from tests.app.assessment.helpers import post, snapshot, text
from tests.app.assessment.test_ratings import rate_all


def _url(assessment_id: uuid.UUID, tail: str = "") -> str:
    return f"/assessments/{assessment_id}{tail}"


def _open_with_ratings(as_user, assessment_id) -> None:
    # 2.1: 6, 2, 4 -> 4 levels apart. 2.2: 5, 5, 4 -> 1 apart. 5.1: 3, 3, 3 -> agreed.
    rate_all(as_user(FAY), assessment_id, {"2.1": "6", "2.2": "5", "5.1": "3"})
    rate_all(as_user(SAM), assessment_id, {"2.1": "2", "2.2": "5", "5.1": "3"})
    rate_all(as_user(MO), assessment_id, {"2.1": "4", "2.2": "4", "5.1": "3"})
    assert post(as_user(FAY), _url(assessment_id, "/discussion")).status_code == 303


def test_consensus_lists_largest_disagreement_first_with_counts(app, as_user, assessment_id):
    _open_with_ratings(as_user, assessment_id)
    page = text(as_user(MO).get(_url(assessment_id, "/consensus")))
    headings = re.findall(r"<h2><a [^>]*>([\d.]+) ", page)
    assert headings == ["2.1", "2.2", "5.1"]
    first = page[page.index(">2.1 ") : page.index(">2.2 ")]
    assert "Ratings 4 levels apart" in first
    assert "from 6: Excellent to 2: Weak" in first
    # Counts per level for 2.1: one each at 6, 4 and 2, none elsewhere.
    counts = re.findall(r'<th scope="row">(\d): [^<]+</th><td class="num">(\d+)</td>', first)
    assert counts == [("6", "1"), ("5", "0"), ("4", "1"), ("3", "0"), ("2", "1"), ("1", "0")]
    last = page[page.index(">5.1 ") :]
    assert "Everyone gave the same rating" in last


def test_facilitator_records_agreed_judgement_and_history_is_kept(app, as_user, assessment_id):
    _open_with_ratings(as_user, assessment_id)
    fay = as_user(FAY)
    url = _url(assessment_id, "/indicators/2.1")
    first = post(
        fay,
        url,
        {
            "agreed_rating": "4",
            "strengths": "Good attendance data",
            "areas_for_improvement": "Hear more from young carers",
            "based_on": "0",
        },
    )
    assert first.status_code == 303
    # The scribe revises it; each version is kept.
    second = post(
        as_user(SAM),
        url,
        {
            "agreed_rating": "3",
            "strengths": "Good attendance data",
            "areas_for_improvement": "Hear more from young carers",
            "based_on": "1",
        },
    )
    assert second.status_code == 303
    with app.app_context():
        judgement = db.session.execute(
            select(Judgement).where(Judgement.target_id == "2.1")
        ).scalar_one()
        assert judgement.agreed_rating == "3"
        versions = db.session.execute(
            select(JudgementChange)
            .where(JudgementChange.judgement_id == judgement.id)
            .order_by(JudgementChange.created_at)
        ).scalars()
        assert [v.snapshot["agreed_rating"] for v in versions] == ["4", "3"]
    history = text(as_user(MO).get(_url(assessment_id, "/indicators/2.1/history")))
    assert history.count("<li>") >= 2
    assert "changed agreed rating" in history
    assert "4: Good" in history and "3: Adequate" in history
    assert "sam@a.example" in history and "fay@a.example" in history
    # Saving the same thing again adds no version.
    same = post(
        fay,
        url,
        {
            "agreed_rating": "3",
            "strengths": "Good attendance data",
            "areas_for_improvement": "Hear more from young carers",
            "based_on": "2",
        },
    )
    assert same.status_code == 303
    with app.app_context():
        assert len(db.session.execute(select(JudgementChange)).all()) == 2
        # The audit trail: one entry per recorded version, by whoever recorded it.
        entries = db.session.execute(
            select(AuditEntry)
            .where(AuditEntry.action == "assessment.judgement_recorded")
            .order_by(AuditEntry.at)
        ).scalars()
        assert [(e.actor_name, e.details["target"]) for e in entries] == [
            ("fay@a.example", "2.1"),
            ("sam@a.example", "2.1"),
        ]


def test_a_stale_page_cannot_overwrite_a_newer_judgement(app, as_user, assessment_id):
    _open_with_ratings(as_user, assessment_id)
    url = _url(assessment_id, "/indicators/2.2")
    post(as_user(FAY), url, {"agreed_rating": "5", "strengths": "A", "based_on": "0"})
    before = snapshot(app, assessment_id)
    stale = post(as_user(SAM), url, {"agreed_rating": "4", "strengths": "B", "based_on": "0"})
    assert stale.status_code == 422
    assert "Someone else recorded a new version" in text(stale)
    assert snapshot(app, assessment_id) == before


def test_only_facilitator_or_scribe_records_and_only_once_open(app, as_user, assessment_id):
    rate_all(as_user(FAY), assessment_id, {"2.1": "6", "2.2": "5", "5.1": "3"})
    url = _url(assessment_id, "/indicators/2.1")
    before = snapshot(app, assessment_id)
    not_yet = post(as_user(FAY), url, {"agreed_rating": "4", "based_on": "0"})
    assert not_yet.status_code == 422
    assert "has not opened the discussion yet" in text(not_yet)
    assert post(as_user(FAY), _url(assessment_id, "/discussion")).status_code == 303
    before = snapshot(app, assessment_id)
    for email in (MO, VIC):
        refused = post(as_user(email), url, {"agreed_rating": "4", "based_on": "0"})
        assert refused.status_code == 403
        assert "Only the facilitator or the scribe" in text(refused)
    assert snapshot(app, assessment_id) == before
    bad = post(as_user(FAY), url, {"agreed_rating": "7", "based_on": "0"})
    assert bad.status_code == 422 and "'7' is not on the" in text(bad)
    assert post(as_user(FAY), _url(assessment_id, "/indicators/9.9"), {}).status_code == 404
    assert snapshot(app, assessment_id) == before


def test_section_judgement_has_no_rating_and_keeps_history(app, as_user, assessment_id):
    assert post(as_user(FAY), _url(assessment_id, "/discussion")).status_code == 303
    url = _url(assessment_id, "/sections/2")
    refused = post(as_user(SAM), url, {"agreed_rating": "5", "strengths": "x", "based_on": "0"})
    assert refused.status_code == 303  # the form has no rating field: a posted one is ignored
    ok = post(as_user(SAM), url, {"strengths": "Joined-up work", "areas_for_improvement": "Data"})
    assert ok.status_code == 303
    with app.app_context():
        judgement = db.session.execute(
            select(Judgement).where(Judgement.scope == JudgementScope.SECTION)
        ).scalar_one()
        assert (judgement.target_id, judgement.agreed_rating) == ("2", None)
        assert judgement.strengths == "Joined-up work"
    page = text(as_user(MO).get(_url(assessment_id, "/sections/2/history")))
    assert "Joined-up work" in page and "changed strengths" in page
    # A section outside the assessment does not exist here.
    assert as_user(MO).get(_url(assessment_id, "/sections/9")).status_code == 404


def test_viewer_reads_but_sees_no_forms(app: Flask, as_user, assessment_id):
    _open_with_ratings(as_user, assessment_id)
    page = text(as_user(VIC).get(_url(assessment_id, "/indicators/2.1")))
    assert "Save the agreed judgement" not in page
    assert "Add to the evidence log" not in page
    assert "Ratings 4 levels apart" in page
    assert "fay@a.example" not in page  # viewers see counts, not who rated what
