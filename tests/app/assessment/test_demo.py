"""The demo's assessment part: seeded on the demo's closed HMIE round, with working logins."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import Assessment, EvidenceItem, FeedbackRound, Judgement, RoundStatus
from tests.app.assessment.helpers import text
from tests.support import login


def test_demo_seeds_an_assessment_on_the_latest_closed_round(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["demo", "--password", "demo password 123"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assessment = db.session.execute(select(Assessment)).scalar_one()
        latest = (
            db.session.execute(
                select(FeedbackRound)
                .where(FeedbackRound.status == RoundStatus.CLOSED)
                .order_by(FeedbackRound.closes_on.desc())
            )
            .scalars()
            .first()
        )
        assert latest is not None
        assert assessment.indicator_ids == latest.indicator_ids
        assert assessment.discussion_open
        imported = (
            db.session.execute(select(EvidenceItem).where(EvidenceItem.payload.is_not(None)))
            .scalars()
            .all()
        )
        assert {i.imported_round_id for i in imported} >= {latest.id}
        kinds = [(i.payload or {}).get("kind") for i in imported]
        assert "external_survey" in kinds and kinds.count("discussion") == 1
        surveys = [
            i.payload or {} for i in imported if (i.payload or {}).get("kind") == "external_survey"
        ]
        k = surveys[0]["threshold"]
        # the demo's small group is kept out, never shown with its counts
        cells = [c for p in surveys for s in p["statements"] for c in s["cells"]]
        small = [c for c in cells if c["group"] == "Business support"]
        assert small and all(c["status"] != "shown" and "base" not in c for c in small)
        assert k > 3
        assert db.session.execute(select(Judgement)).first() is not None
        assessment_id = assessment.id
    # The printed SAT member credentials work and show the assessment.
    found = re.findall(r"SAT member \((\w+)\): (\S+) / (\S+)", result.output)
    assert [role for role, _, _ in found] == ["facilitator", "member"]
    _, email, password = found[0]
    client = app.test_client()
    login(client, email, password)
    page = text(client.get(f"/assessments/{assessment_id}/stakeholders"))
    assert "Children's services feedback (demo, this year)" in page
    assert "From elsewhere: Council staff survey 2026" in page
    assert "External survey, not a Chorus round" in page
    log = text(client.get(f"/assessments/{assessment_id}/evidence"))
    assert "Focus group or discussion" in log
