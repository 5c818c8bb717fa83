"""The insider's audience of one (issue 22, DESIGN.md 6): a coordinator who wants to know what
the chief executive thinks defines a round's own audience, "Chief executive", with one email
contact beside the staff. The chief executive answers, with a comment; the coordinator then
reads every staff view of the round (every page and HTMX fragment walked from app.url_map, as
coordinator and viewer, the CSVs, the workbooks, the reports, the API, the CLI), live and closed.

The audience is a group of its own under the threshold: no figure, no comment and no total that
gives it away by subtraction appears anywhere; and once launched the audience can be neither
renamed, merged, removed nor joined by another, so the groups cannot be redrawn after answers.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.invitations.common import audience_labels
from app.models import Channel, FeedbackRound, Invitation, Role
from app.services import round_audiences
from app.services.accounts import find_user_by_email, get_or_create_organisation
from app.services.api_tokens import create_token
from app.services.contacts import ContactRow, add_contacts
from app.services.launch import launch
from app.services.responding import Progress, load_survey, today
from app.services.results import close_round
from app.services.rounds import RoundSettings, create_round
from app.services.submission import submit
from app.services.tokens import derive_token
from tests.app.anonymity import snapshots
from tests.app.anonymity.snapshots import Snapshot, Viewers
from tests.support import csrf_token, login

K = 3
ORG = "Org A"
CEO = "c-chief-executive"
SECRET = "ZEBRA CEO SECRET"
STAFF_COMMENT = "Staff comment kept"


def _setup(app: Flask) -> uuid.UUID:
    with app.app_context():
        org = get_or_create_organisation(ORG)
        rnd = create_round(
            org,
            RoundSettings(
                name="Leadership listening",
                framework_id="hmie-children-services",
                indicator_ids=["9.2"],
                audiences=["staff"],
                opens_on=today() - timedelta(days=1),
                closes_on=today() + timedelta(days=30),
                threshold=K,
                free_text=True,
            ),
        )
        round_audiences.add_audience(
            rnd,
            name="Chief executive",
            plural="",
            scale="agree4",
            email=True,
            open_link=False,
            resembles="staff",
        )
        add_contacts(rnd, "staff", [ContactRow(n, f"staff{n}@people.example") for n in range(4)])
        add_contacts(rnd, CEO, [ContactRow(1, "ceo@people.example")])
        launch(rnd, secret=app.config["SECRET_KEY"], labels=audience_labels(rnd), today=today())
        db.session.commit()
        return rnd.id


def _answer(app: Flask, round_id: uuid.UUID, email: str, code: str, comment: str) -> None:
    with app.app_context():
        invitation = db.session.execute(
            select(Invitation).where(Invitation.round_id == round_id, Invitation.email == email)
        ).scalar_one()
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        (q,) = [q for q in rnd.questionnaires if q.audience == invitation.audience]
        survey = load_survey(q.id)
        assert survey is not None
        progress = Progress.new(q.id)
        progress.answers = {item.position: code for item in survey.shape.items}
        progress.texts = {next(iter(survey.shape.boxes.values())).key: comment}
        result = submit(
            survey,
            progress,
            channel=Channel.EMAIL,
            token=derive_token(app.config["SECRET_KEY"], invitation.id),
            secret=app.config["SECRET_KEY"],
            on=today(),
        )
        assert result.thanked, result.outcome
        db.session.commit()


def _signed_in(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    login(client, email)
    return client


def _everything(snapshot: Snapshot) -> str:
    return "\n".join(block for blocks in snapshot.views.values() for block in blocks)


def _assert_nothing_about_the_ceo(snapshot: Snapshot) -> None:
    seen = _everything(snapshot)
    assert SECRET.lower() not in seen.lower()
    assert snapshot.shown_respondents().get(CEO, 0) == 0
    assert snapshot.results_json is not None
    assert snapshot.results_json.get("total_respondents") is None  # 5 - 4 staff = 1
    for indicator in snapshot.results_json["indicators"]:
        cell = (indicator.get("cells") or {}).get(CEO) or {}
        assert cell.get("favourable") is None and cell.get("percent") is None, cell
    for item in snapshot.results_json["items"]:
        if item.get("audience") == CEO:
            assert item.get("distribution") is None, item


def test_an_audience_of_one_gives_nothing_away_in_any_view(
    app: Flask, make_user: Callable[..., Any], monkeypatch: Any
) -> None:
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "1000000 per minute")
    make_user("coord@a.example", ORG, Role.COORDINATOR)
    make_user("viewer@a.example", ORG, Role.VIEWER)
    round_id = _setup(app)
    with app.app_context():
        user = find_user_by_email("coord@a.example")
        assert user is not None
        token = create_token(
            get_or_create_organisation(ORG).id, user, "Attack", ["read_results"], 30
        ).secret
        db.session.commit()
    viewers = Viewers(
        app=app,
        round_id=round_id,
        coordinator=_signed_in(app, "coord@a.example"),
        viewer=_signed_in(app, "viewer@a.example"),
        indicator_ids=["9.2"],
        audiences=["staff", CEO],
        org_name=ORG,
        api_token=token,
    )
    for n in range(4):
        _answer(app, round_id, f"staff{n}@people.example", "a", f"{STAFF_COMMENT} {n}")
    before = snapshots.take(viewers, full=False)
    _answer(app, round_id, "ceo@people.example", "sd", SECRET)
    after = snapshots.take(viewers, full=False)
    for snapshot in (before, after):
        assert snapshot.errors == []
        assert SECRET.lower() not in _everything(snapshot).lower()
        assert snapshot.shown_respondents().get(CEO, 0) == 0
    # Nothing the chief executive answered moves any figure while live (one release behind).
    assert before.audience_figures().get(CEO) == after.audience_figures().get(CEO)

    # The groups cannot be redrawn once answers can arrive.
    coordinator = viewers.coordinator
    token_csrf = csrf_token(coordinator, "/")
    definition = {
        "csrf_token": token_csrf,
        "name": "Staff",
        "plural": "",
        "scale": "agree4",
        "channels": ["email"],
    }
    base = f"/rounds/{round_id}/audiences"
    assert coordinator.post(f"{base}/{CEO}", data=definition).status_code == 409
    assert (
        coordinator.post(f"{base}/{CEO}/remove", data={"csrf_token": token_csrf}).status_code == 409
    )
    added = coordinator.post(base, data={**definition, "name": "Deputy chief executive"})
    assert added.status_code == 409
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        assert [c["name"] for c in rnd.custom_audiences] == ["Chief executive"]
        close_round(rnd)
        db.session.commit()

    closed = snapshots.take(viewers, full=True)
    assert closed.errors == []
    _assert_nothing_about_the_ceo(closed)
    # The staff, at k and over, are shown: the test can see what it looks for.
    assert closed.shown_respondents()["staff"] == 4
    assert STAFF_COMMENT in _everything(closed)
