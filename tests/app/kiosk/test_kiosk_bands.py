"""A kiosk on a round's shared children's link (issue 20): each child chooses their age band
on the welcome page, answers that band's questionnaire, and the next child chooses afresh.
Offline, such a kiosk holds one kit per band (the child's choice is made on the tablet) and each
band's queued answers are released as that band; a kiosk on a band's own link skips the choice
and keeps its one offline kit."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import Channel, Response, SealedSubmission, User
from tests.app.kiosk.conftest import CODE, Event, grant_claim, pair
from tests.app.kiosk.test_kiosk_flow import _person
from tests.app.kiosk.test_kiosk_queue import _answers
from tests.app.respond.helpers import Browser, add_open_link, launch_round
from tests.support import csrf_token, release_all

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


INTRO_HEADING = {
    "under_8": "Children under 8 survey",
    "8_to_12": "Children 8 to 12 survey",
    "13_plus": "Young people 13 and over survey",
}


def test_a_shared_kiosk_has_one_offline_kit_per_band_and_a_band_kiosk_one(
    app: Flask, client: FlaskClient, coordinator: User, shared_kiosk: tuple[Event, Browser]
) -> None:
    event, tablet = shared_kiosk
    index = tablet.client.get("/kiosk/offline?want=2")
    assert index.status_code == 200  # no longer 409: the list of bands to fetch, no grants
    listed = index.get_json()
    assert "grants" not in listed and "pages" not in listed
    qids = event.launched.questionnaires
    assert listed["bands"] == [
        {"band": band, "q": uuid.UUID(str(qids[f"children_{band}"])).hex} for band in BANDS
    ]
    for band in BANDS:
        kit = tablet.client.get(f"/kiosk/offline?want=2&band={band}")
        assert kit.status_code == 200
        assert kit.headers["Cache-Control"] == "no-store"
        body = kit.get_json()
        qid = qids[f"children_{band}"]
        assert (body["band"], body["q"]) == (band, uuid.UUID(str(qid)).hex)
        assert body["queue"] == f"/q/{qid}/queued" and body["pages"]
        assert body["welcome"] == f"/q/{qid}"
        assert [grant_claim(g, "q") for g in body["grants"]] == [body["q"]] * 2
        # The band's own welcome page, shown offline after the choice as online: its Start,
        # the way back to the choice, and no choice of its own.
        intro = body["intro"]
        assert intro.lstrip().startswith('<div id="survey"') and INTRO_HEADING[band] in intro
        assert f'action="/q/{qid}/start"' in intro and "data-kiosk-start" in intro
        assert f"/q/{qid}?band=change" in intro and 'name="band"' not in intro
        assert ("A grown-up can read this with you." in intro) is (band == "under_8")
    unknown = tablet.client.get("/kiosk/offline?want=2&band=adults")
    assert unknown.status_code == 422
    assert "no such age band" in unknown.get_json()["reason"]
    band = Event(event.launched, "", qids["children_8_to_12"])
    add_open_link(app, band.launched.round_id, "children_8_to_12")
    own = _kiosk(client, app, band, "children_8_to_12")
    assert "How old are you?" not in own.text and 'value="start"' in own.html
    kit = own.client.get("/kiosk/offline?want=2")
    assert kit.status_code == 200
    body = kit.get_json()
    assert body["q"] == uuid.UUID(str(band.questionnaire_id)).hex and "band" not in body
    assert "intro" not in body  # its welcome page is the tablet's own first page
    assert len(body["grants"]) == 2 and body["pages"]
    # A band's own link has no choice: `band=` changes nothing there.
    assert own.client.get("/kiosk/offline?want=0&band=13_plus").get_json()["q"] == body["q"]


def _send(tablet: Browser, kit: dict[str, Any], grant: str, answers: dict[str, str]) -> int:
    response = tablet.client.post(
        kit["queue"],
        json={
            "grant": grant,
            "submission_id": grant_claim(grant, "s"),
            "answers": answers,
            "language": "en",
        },
        headers={"Accept": "application/json"},
    )
    return response.status_code


def test_queued_answers_of_a_shared_kiosk_are_released_as_their_band(
    app: Flask, shared_kiosk: tuple[Event, Browser]
) -> None:
    event, tablet = shared_kiosk
    qids = event.launched.questionnaires
    kits = {
        band: tablet.client.get(f"/kiosk/offline?want=2&band={band}").get_json()
        for band in ("under_8", "13_plus")
    }
    young, old = kits["under_8"], kits["13_plus"]
    young_answers = _answers(app, Event(event.launched, "", qids["children_under_8"]))
    old_answers = _answers(app, Event(event.launched, "", qids["children_13_plus"]))
    assert _send(tablet, young, young["grants"][0], young_answers) in (200, 201, 202)
    assert _send(tablet, old, old["grants"][0], old_answers) in (200, 201, 202)
    assert _send(tablet, old, old["grants"][1], old_answers) in (200, 201, 202)
    # Never pooled: one band's grant sent as another band's answers is refused, nothing stored.
    assert 400 <= _send(tablet, old, young["grants"][1], old_answers) < 500
    assert 400 <= _send(tablet, young, old["grants"][0], young_answers) < 500
    release_all(app)
    with app.app_context():
        rows = db.session.execute(select(Response.audience, Response.channel)).all()
    assert sorted(a for a, _c in rows) == [
        "children_13_plus",
        "children_13_plus",
        "children_under_8",
    ]
    assert {c for _a, c in rows} == {Channel.KIOSK}
