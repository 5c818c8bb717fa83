"""The review (HMIE capacity for improvement, CSIT review questions and red-thread counts) and
improvement actions."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import ActionStatus, Assessment, ImprovementAction
from tests.app.assessment.conftest import FAY, MO, SAM, TEAM, VIC
from tests.app.assessment.helpers import make_assessment, post, snapshot, text


def test_capacity_for_improvement_statement_with_confidence(app, as_user, assessment_id):
    base = f"/assessments/{assessment_id}"
    page = text(as_user(SAM).get(base + "/review"))
    assert "Capacity for improvement" in page
    assert "effectiveness of leadership and management".capitalize() in page
    assert "A high degree of confidence" in page
    response = post(
        as_user(SAM),
        base + "/review",
        {
            "capacity-1": "Outcomes improving",
            "capacity-1-confidence": "high",
            "capacity-2": "Pivotal posts vacant soon",
            "capacity-2-confidence": "some",
            "capacity_statement": "We can continue to improve.",
            "capacity_confidence": "high",
        },
    )
    assert response.status_code == 303
    with app.app_context():
        a = db.session.get(Assessment, assessment_id)
        assert a is not None
        assert (a.capacity_statement, a.capacity_confidence) == (
            "We can continue to improve.",
            "high",
        )
        assert a.review["capacity-2"] == "Pivotal posts vacant soon"
        assert a.review["capacity-2-confidence"] == "some"
    before = snapshot(app, assessment_id)
    bad = post(as_user(SAM), base + "/review", {"capacity_confidence": "total"})
    assert bad.status_code == 422 and "Choose high, some or low confidence" in text(bad)
    assert post(as_user(MO), base + "/review", {"capacity_statement": "x"}).status_code == 403
    assert snapshot(app, assessment_id) == before


def test_csit_review_counts_areas_for_improvement_per_red_thread(app, as_user, people):
    assessment_id = make_assessment(
        app,
        TEAM,
        framework_id="csit-collaborative-working",
        choices=("section:preparing-the-ground",),
    )
    base = f"/assessments/{assessment_id}"
    assert post(as_user(FAY), base + "/discussion").status_code == 303
    # Red threads come from the CSIT red-threads benchmark.
    for target, tags in (
        ("indicators/cw-1", ["continuous-improvement", "clear-direction"]),
        ("indicators/cw-2", ["continuous-improvement"]),
        ("sections/preparing-the-ground", ["continuous-improvement", "staff-development"]),
    ):
        response = post(
            as_user(FAY),
            f"{base}/{target}",
            {"areas_for_improvement": f"Area for {target}", "thread_tags": tags},
        )
        assert response.status_code == 303, text(response)[:1000]
    bad = post(as_user(FAY), f"{base}/indicators/cw-3", {"thread_tags": ["not-a-thread"]})
    assert bad.status_code == 422 and "Not red threads of this framework" in text(bad)
    page = text(as_user(MO).get(base + "/review"))
    rows = re.findall(r'<th scope="row">([^<]+)</th><td class="num">(\d+)</td>', page)
    counts = dict(rows)
    assert counts["Continuous improvement"] == "3"
    assert counts["Setting and following a clear direction to achieve the desired outcomes"] == "1"
    assert counts["Staff development"] == "1"
    assert counts["Financial management"] == "0"
    assert rows[0] == ("Continuous improvement", "3")  # most tagged first
    # The three CSIT review questions are there to answer.
    assert "golden threads" in page and "underlying causes" in page
    saved = post(
        as_user(SAM),
        base + "/review",
        {"significant-areas": "Shared data", "underlying-causes": "No shared plan"},
    )
    assert saved.status_code == 303
    with app.app_context():
        a = db.session.get(Assessment, assessment_id)
        assert a is not None
        assert a.review["underlying-causes"] == "No shared plan"


def test_improvement_actions_add_edit_and_validate(app, as_user, assessment_id):
    base = f"/assessments/{assessment_id}"
    mo = as_user(MO)
    due = (date.today() - timedelta(days=2)).isoformat()
    response = post(
        mo,
        base + "/actions",
        {
            "title": "Survey young carers",
            "owner": "Family support lead",
            "due_on": due,
            "status": "in_progress",
            "indicator_ids": ["2.1", "2.2"],
            "area_for_improvement": "Hear more from young carers",
        },
    )
    assert response.status_code == 303
    page = text(mo.get(base + "/actions"))
    assert "Survey young carers" in page and "Overdue" in page and "In progress" in page
    with app.app_context():
        action = db.session.execute(select(ImprovementAction)).scalar_one()
        assert action.indicator_ids == ["2.1", "2.2"]
        action_id = action.id
    assert "Survey young carers" in text(mo.get(base + "/indicators/2.1"))
    edit = post(
        mo,
        f"{base}/actions/{action_id}/edit",
        {"title": "Survey young carers", "status": "done", "indicator_ids": ["2.1"]},
    )
    assert edit.status_code == 303
    with app.app_context():
        action = db.session.get(ImprovementAction, action_id)
        assert action is not None
        assert (action.status, action.indicator_ids, action.due_on) == (
            ActionStatus.DONE,
            ["2.1"],
            None,
        )
    before = snapshot(app, assessment_id)
    for data, message in (
        ({"title": ""}, "Say what the action is"),
        ({"title": "x", "status": "maybe"}, "Choose a status"),
        ({"title": "x", "indicator_ids": ["9.9"]}, "Not indicators of this assessment: 9.9"),
        ({"title": "x", "due_on": "soon"}, "Enter the due date as a real date"),
    ):
        bad = post(mo, base + "/actions", data)
        assert bad.status_code == 422 and message in text(bad)
    assert post(as_user(VIC), base + "/actions", {"title": "x"}).status_code == 403
    with app.app_context():
        assert len(db.session.execute(select(ImprovementAction)).all()) == 1
    assert snapshot(app, assessment_id) == before
    assert post(mo, f"{base}/actions/{action_id}/delete").status_code == 303
    with app.app_context():
        assert db.session.execute(select(ImprovementAction)).first() is None
