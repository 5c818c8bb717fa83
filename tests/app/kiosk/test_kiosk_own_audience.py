"""A kiosk for a round's own open-link audience (issue 22): paired to its open link, people
answer one after another, counted as that audience through the kiosk channel; an audience asked
by email only has no open link, so no kiosk and no poster."""

from __future__ import annotations

import uuid
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.invitations.common import audience_labels
from app.models import Channel, OpenLink, Response, User
from app.services import round_audiences
from app.services.accounts import get_or_create_organisation
from app.services.launch import launch
from app.services.responding import today
from app.services.rounds import RoundSettings, create_round
from tests.app.kiosk.conftest import CODE, pair
from tests.app.kiosk.test_kiosk_flow import _person
from tests.support import csrf_token, release_all

ELECTED, BOARD = "c-elected-members", "c-board-members"


def _launched(app: Flask) -> uuid.UUID:
    with app.app_context():
        rnd = create_round(
            get_or_create_organisation("Org A"),
            RoundSettings(
                name="Council day",
                framework_id="hmie-children-services",
                indicator_ids=["5.3"],
                audiences=["parents"],
                opens_on=today() - timedelta(days=1),
                closes_on=today() + timedelta(days=10),
            ),
        )
        for name, email, open_link in (
            ("Elected members", False, True),
            ("Board members", True, False),
        ):
            round_audiences.add_audience(
                rnd,
                name=name,
                plural="",
                scale="agree4",
                email=email,
                open_link=open_link,
                resembles="parents",
            )
        launch(rnd, secret=app.config["SECRET_KEY"], labels=audience_labels(rnd), today=today())
        db.session.commit()
        return rnd.id


def test_a_kiosk_on_an_own_audiences_open_link(
    app: Flask, client: FlaskClient, coordinator: User
) -> None:
    round_id = _launched(app)
    with app.app_context():
        links = set(db.session.execute(select(OpenLink.audience)).scalars())
    assert ELECTED in links and BOARD not in links
    page = client.get(f"/rounds/{round_id}/open-links").get_data(as_text=True)
    assert "Elected members" in page and "Board members" not in page
    assert client.get(f"/rounds/{round_id}/open-links/{BOARD}/poster").status_code == 404
    made = client.post(
        f"/rounds/{round_id}/open-links/{ELECTED}/kiosks",
        data={"name": "Chamber tablet", "csrf_token": csrf_token(client, "/")},
    )
    assert made.status_code == 200
    match = CODE.search(made.get_data(as_text=True))
    assert match
    tablet = pair(app, match.group(1))
    assert "Elected members survey" in tablet.text
    for _ in range(3):
        _person(tablet)
    release_all(app)
    with app.app_context():
        rows = db.session.execute(select(Response.audience, Response.channel)).all()
    assert rows == [(ELECTED, Channel.KIOSK)] * 3
