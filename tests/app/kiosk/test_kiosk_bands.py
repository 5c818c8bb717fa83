"""A kiosk on a round's shared children's link (issue 20): each child chooses their age band
on the welcome page, answers that band's questionnaire, and the next child chooses afresh.
Offline, such a kiosk would hold one band's pages only, so it works while online; a kiosk on a
band's own link skips the choice and keeps its offline kit."""

from __future__ import annotations

import uuid

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import SealedSubmission, User
from tests.app.kiosk.conftest import CODE, Event, pair
from tests.app.kiosk.test_kiosk_flow import _person
from tests.app.respond.helpers import Browser, add_open_link, launch_round
from tests.support import csrf_token

BANDS = ("under_8", "8_to_12", "13_plus")


def _event(app: Flask, audience: str) -> Event:
    launched = launch_round(app, audiences=("children", "parents"), children_bands=BANDS)
    code = add_open_link(app, launched.round_id, audience)
    qid = launched.questionnaires.get(audience) or launched.questionnaires["children_under_8"]
    return Event(launched, code, qid)


def _kiosk(client: FlaskClient, app: Flask, event: Event, audience: str) -> Browser:
    response = client.post(
        f"/rounds/{event.launched.round_id}/open-links/{audience}/kiosks",
        data={"name": f"Tablet {audience}", "csrf_token": _token(client)},
    )
    assert response.status_code == 200, response.status_code
    match = CODE.search(response.get_data(as_text=True))
    assert match
    return pair(app, match.group(1))


def _token(client: FlaskClient) -> str:
    return csrf_token(client, "/")


def _sealed(app: Flask) -> list[str]:
    with app.app_context():
        return sorted(db.session.execute(select(SealedSubmission.audience)).scalars())


@pytest.fixture
def shared_kiosk(app: Flask, client: FlaskClient, coordinator: User) -> tuple[Event, Browser]:
    event = _event(app, "children")
    return event, _kiosk(client, app, event, "children")


def test_each_child_at_a_shared_kiosk_chooses_their_band(
    app: Flask, shared_kiosk: tuple[Event, Browser]
) -> None:
    event, tablet = shared_kiosk
    assert "How old are you?" in tablet.text
    for band in ("13_plus", "under_8"):
        youngest = event.launched.questionnaires["children_under_8"]
        response = tablet.post(f"/q/{youngest}/band", {"band": band})
        assert response.status_code == 303
        tablet.follow(response)
        assert "How old are you?" not in tablet.text
        _person(tablet)
        assert tablet.locations[-2].endswith("/kiosk?sent=1")  # the kiosk starts afresh
        tablet.get(tablet.locations[-1])
        # Back at the start for the next child: thanked, and asked their band afresh.
        assert "your answers have been sent" in tablet.text
        assert "How old are you?" in tablet.text
    assert _sealed(app) == ["children_13_plus", "children_under_8"]


def test_a_shared_kiosk_has_no_offline_kit_but_a_band_kiosk_has(
    app: Flask, client: FlaskClient, coordinator: User, shared_kiosk: tuple[Event, Browser]
) -> None:
    _event_, tablet = shared_kiosk
    refused = tablet.client.get("/kiosk/offline?want=2")
    assert refused.status_code == 409
    assert "works only while online" in refused.get_json()["reason"]
    band = Event(_event_.launched, "", _event_.launched.questionnaires["children_8_to_12"])
    add_open_link(app, band.launched.round_id, "children_8_to_12")
    own = _kiosk(client, app, band, "children_8_to_12")
    assert "How old are you?" not in own.text and 'value="start"' in own.html
    kit = own.client.get("/kiosk/offline?want=2")
    assert kit.status_code == 200
    body = kit.get_json()
    assert body["q"] == uuid.UUID(str(band.questionnaire_id)).hex
    assert len(body["grants"]) == 2 and body["pages"]
