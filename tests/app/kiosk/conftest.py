"""Fixtures for kiosks (issue 18): a launched round with an open link, a coordinator who makes
kiosks on the open-links page, and a tablet (a test client of its own) that pairs with a code."""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import Kiosk, User
from app.services.responding import clear_shape_cache
from tests.app.respond.helpers import Browser, Launched, add_open_link, launch_round
from tests.support import csrf_token

CODE = re.compile(r'<p class="pairing-code" id="pairing-code">([A-Z0-9]{4}-[A-Z0-9]{4})</p>')


@dataclass
class Event:
    launched: Launched
    link_code: str
    questionnaire_id: uuid.UUID


@pytest.fixture(autouse=True)
def _fresh_shape_cache() -> Iterator[None]:
    clear_shape_cache()
    yield
    clear_shape_cache()


@pytest.fixture(autouse=True)
def _unhurried(app: Flask) -> Iterator[None]:
    """Tests that are not about the minimum time per questionnaire switch it off."""
    app.config["KIOSK_MIN_SECONDS_PER_QUESTION"] = 0
    yield
    app.config.pop("KIOSK_MIN_SECONDS_PER_QUESTION", None)


@pytest.fixture
def event(app: Flask) -> Event:
    launched = launch_round(app)
    code = add_open_link(app, launched.round_id, "parents")
    return Event(launched, code, launched.questionnaires["parents"])


def create_kiosk(client: FlaskClient, event: Event, name: str = "Gala day tablet 1") -> str:
    """Create a kiosk as the signed-in coordinator; returns the pairing code shown once."""
    response = client.post(
        f"/rounds/{event.launched.round_id}/open-links/parents/kiosks",
        data={"name": name, "csrf_token": csrf_token(client, "/")},
    )
    assert response.status_code == 200, response.status_code
    assert response.headers["Cache-Control"] == "no-store"
    match = CODE.search(response.get_data(as_text=True))
    assert match, "no pairing code on the page"
    return match.group(1)


def kiosk_row(app: Flask, name: str = "Gala day tablet 1") -> Kiosk:
    with app.app_context():
        row = db.session.execute(select(Kiosk).where(Kiosk.name == name)).scalar_one()
        db.session.expunge(row)
        return row


def pair(app: Flask, code: str) -> Browser:
    """A fresh tablet that opens the pairing page and types the code."""
    tablet = Browser(app.test_client())
    tablet.get("/kiosk/pair")
    response = tablet.post("/kiosk/pair", {"code": code})
    assert response.status_code == 303, (response.status_code, tablet.text[:300])
    home = tablet.get(response.location)  # /kiosk?paired=1
    assert home.status_code == 303, home.status_code
    assert tablet.follow(home).status_code == 200  # the questionnaire's welcome page
    return tablet


@pytest.fixture
def tablet(app: Flask, client: FlaskClient, coordinator: User, event: Event) -> Browser:
    return pair(app, create_kiosk(client, event))


def grant_claim(grant: str, name: str) -> str:
    """As app/static/js/kiosk.js does: a claim of the grant's signed payload (its submission id
    `s`, its questionnaire `q`)."""
    payload = grant.split(".")[1]
    return str(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))[name])
