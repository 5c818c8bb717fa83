"""A round's own audience end to end (issue 22): defined, launched, answered through its open
link into the sealed inbox, released at the close as a group of its own, shown in the results
and the workbook, and imported into an assessment with its own wording."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select

from app.dates import today
from app.extensions import db
from app.invitations.common import audience_labels
from app.models import Channel, EvidenceItem, FeedbackRound, OpenLink, Response
from app.services import launch as launch_service
from app.services import round_audiences
from app.services.accounts import get_or_create_organisation
from app.services.documents.round_workbook import write_round_workbook
from app.services.responding import Progress, load_survey
from app.services.results import close_round, round_results
from app.services.rounds import RoundSettings, create_round
from app.services.submission import submit
from tests.app.assessment.conftest import COORD, MO, TEAM
from tests.app.assessment.helpers import make_assessment, post, text

ELECTED = "c-elected-members"
INDICATORS = ("2.1", "5.1")


def _round_with_elected_members(app: Flask) -> uuid.UUID:
    with app.app_context():
        org = get_or_create_organisation("Org A")
        rnd = create_round(
            org,
            RoundSettings(
                name="Council listening",
                framework_id="hmie-children-services",
                indicator_ids=list(INDICATORS),
                audiences=["parents"],
                opens_on=today(),
                closes_on=today() + timedelta(days=14),
                threshold=5,
                free_text=False,
            ),
        )
        round_audiences.add_audience(
            rnd,
            name="Elected members",
            plural="elected members",
            scale="agree4",
            email=False,
            open_link=True,
            resembles=None,
        )
        round_audiences.set_statements(
            rnd,
            ELECTED,
            {
                "2.1": "I am told how well children are kept safe.\nI can raise a concern.",
                "5.1": "I see services for families working together.",
            },
        )
        db.session.commit()
        return rnd.id


def _launch(app: Flask, round_id: uuid.UUID) -> None:
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        plan = launch_service.plan_launch(rnd, audience_labels(rnd), today())
        assert plan.ready, plan.problems
        launch_service.launch(
            rnd, secret=app.config["SECRET_KEY"], labels=audience_labels(rnd), today=today()
        )
        db.session.commit()


def _answer(app: Flask, round_id: uuid.UUID, audience: str, codes: list[str]) -> None:
    """Each code one person answering every question so, through the open link."""
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        (q,) = [q for q in rnd.questionnaires if q.audience == audience]
        for code in codes:
            survey = load_survey(q.id)
            assert survey is not None
            progress = Progress.new(q.id)
            progress.answers = {item.position: code for item in survey.shape.items}
            result = submit(
                survey,
                progress,
                channel=Channel.OPEN_LINK,
                token=None,
                secret=app.config["SECRET_KEY"],
                on=today(),
            )
            assert result.thanked, result.outcome
            db.session.commit()


def test_elected_members_from_definition_to_the_assessment(
    app: Flask, people: None, as_user: Callable[[str], FlaskClient]
) -> None:
    round_id = _round_with_elected_members(app)
    _launch(app, round_id)
    with app.app_context():
        links = set(db.session.execute(select(OpenLink.audience)).scalars())
        assert ELECTED in links
    _answer(app, round_id, ELECTED, ["sa", "a", "a", "a", "d", "sd"])  # 4 of 6 favourable
    _answer(app, round_id, "parents", ["a"] * 5)
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        close_round(rnd)
        db.session.commit()
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        released = db.session.execute(
            select(Response).where(Response.round_id == round_id, Response.audience == ELECTED)
        ).all()
        assert len(released) == 6
        results = round_results(rnd)
        (summary,) = [a for a in results.audiences if a.audience == ELECTED]
        assert (summary.label, summary.phrase, summary.respondents) == (
            "Elected members",
            "elected members",
            6,
        )
        (indicator,) = [i for i in results.indicators if i.indicator_id == "2.1"]
        cell = indicator.cells[ELECTED]
        assert (cell.favourable, cell.base) == (8, 12)
        assert cell.evidence.startswith("The majority of elected members (67%, 8 of 12")
        out = io.BytesIO()
        write_round_workbook(rnd, out)
    wb = load_workbook(io.BytesIO(out.getvalue()), read_only=True)
    cells = {str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row}
    assert "Elected members" in cells
    assert any(v.startswith("The majority of elected members") for v in cells)

    assessment_id = make_assessment(app, TEAM, choices=("indicator:2.1", "indicator:5.1"))
    response = post(
        as_user(MO), f"/assessments/{assessment_id}/import", {"round_id": str(round_id)}
    )
    assert response.status_code == 303, text(response)[:2000]
    with app.app_context():
        items = db.session.execute(
            select(EvidenceItem).where(
                EvidenceItem.assessment_id == assessment_id, EvidenceItem.payload.is_not(None)
            )
        ).scalars()
        by_indicator = {i.indicator_id: i for i in items}
        payload = by_indicator["2.1"].payload
        assert payload is not None
        elected = {c["audience"]: c for c in payload["cells"]}[ELECTED]
        assert elected["label"] == "Elected members"
        assert (elected["favourable"], elected["base"]) == (8, 12)
        assert "The majority of elected members" in by_indicator["2.1"].description
    page = text(as_user(COORD).get(f"/results/{round_id}"))
    assert "Elected members" in page
    # The round's Word report speaks of them in their own words too.
    from tests.app.anonymity.snapshots import docx_blocks

    report = as_user(COORD).get(f"/results/{round_id}/report.docx")
    assert report.status_code == 200
    words = "\n".join(docx_blocks(report.get_data()))
    assert "Elected members" in words
    assert "The majority of elected members (67%" in words


def test_a_group_of_elected_members_under_k_is_suppressed(
    app: Flask, people: None, make_user: Any
) -> None:
    round_id = _round_with_elected_members(app)
    _launch(app, round_id)
    _answer(app, round_id, ELECTED, ["sa"] * 4)  # k - 1
    _answer(app, round_id, "parents", ["a"] * 6)
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        close_round(rnd)
        db.session.commit()
        results = round_results(rnd)
        (summary,) = [a for a in results.audiences if a.audience == ELECTED]
        assert summary.respondents is None and "Fewer than 5" in summary.notice
        for indicator in results.indicators:
            cell = indicator.cells.get(ELECTED)
            assert cell is None or cell.favourable is None
        # Complementary suppression: no visible total lets the elected members be worked out.
        assert results.total_respondents is None
