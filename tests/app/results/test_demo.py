"""The demo's results: closed HMIE rounds with real-looking figures and suppression included."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.cli import demo_results
from app.extensions import db
from app.models import Comment, FeedbackRound, Response, Role, RoundStatus
from app.services.accounts import create_user, find_user_by_email
from app.services.results import CellStatus, round_results, visible_comments
from tests.support import PASSWORD, login


def test_demo_seeds_closed_rounds_with_suppression(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        create_user("demo@a.example", PASSWORD, "Demo org", Role.COORDINATOR)
        user = find_user_by_email("demo@a.example")
        org = user.memberships[0].organisation
        notes = demo_results.seed(org, user)
        db.session.commit()
        assert notes and "/results/" in notes[0]
        latest = db.session.execute(
            select(FeedbackRound).where(FeedbackRound.name == demo_results.LATEST)
        ).scalar_one()
        assert latest.status == RoundStatus.CLOSED and latest.framework_id == demo_results.FRAMEWORK
        responses = db.session.execute(
            select(func.count()).select_from(Response).where(Response.round_id == latest.id)
        ).scalar_one()
        assert 280 <= responses <= 320
        results = round_results(latest)
        statuses = {a.audience: a.status for a in results.audiences}
        # Children in three age bands, each a group of its own: the under-8s are too few.
        assert list(statuses) == [
            "staff",
            "partners",
            "parents",
            "children_under_8",
            "children_8_to_12",
            "children_13_plus",
        ]
        suppressed = [a for a, s in statuses.items() if s == CellStatus.SUPPRESSED]
        assert suppressed == ["partners", "children_under_8"]
        assert results.total_respondents is None
        # realistic: figures differ between indicators and groups, not one flat value
        percents = {
            round(c.percent) for i in results.indicators for c in i.cells.values() if c.percent
        }
        assert len(percents) >= 6
        assert results.disparities  # something to discuss
        groups = visible_comments(latest)
        assert any(g.comments for g in groups)
        assert any(g.hidden_count for g in groups)
        hidden = db.session.execute(select(Comment).where(Comment.hidden)).scalars().all()
        assert [c.text for c in hidden] == [demo_results.HIDDEN_COMMENT]
        earlier = db.session.execute(
            select(FeedbackRound).where(FeedbackRound.name == demo_results.EARLIER)
        ).scalar_one()
        assert earlier.status == RoundStatus.CLOSED
        latest_id = latest.id
    login(client, "demo@a.example")
    assert client.get(f"/results/{latest_id}").status_code == 200
    compare = client.get(f"/results/{latest_id}/compare").get_data(as_text=True)
    assert "<strong>Yes</strong>: a real" in compare or "could be chance" in compare
