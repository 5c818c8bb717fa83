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
