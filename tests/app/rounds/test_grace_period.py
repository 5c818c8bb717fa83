"""The grace period for answers made offline (issue 18): a round setting, and what pages say."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.dates import long_date
from app.extensions import db
from app.models import FeedbackRound, RoundStatus
from app.services.responding import today
from tests.app.rounds.helpers import round_count
from tests.app.rounds.test_round_pages import _form


def _text(response: Any) -> str:
    html = response.get_data(as_text=True)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_a_new_round_has_three_days_and_the_setting_is_kept(
    app: Flask, client: FlaskClient, coordinator: Any
) -> None:
    page = client.get("/rounds/new")
    assert 'name="grace_days"' in page.get_data(as_text=True)
    assert client.post("/rounds/new", data=_form(client)).status_code == 303
    assert (
        client.post("/rounds/new", data=_form(client, name="Later", grace_days="7")).status_code
        == 303
    )
    with app.app_context():
        days = dict(db.session.execute(select(FeedbackRound.name, FeedbackRound.grace_days)).all())
    assert days == {"Family feedback 2027": 3, "Later": 7}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("31", "The grace period must be between 0 and 30 days"),
        ("-1", "The grace period must be between 0 and 30 days"),
        ("three", "Enter the grace period as a whole number of days"),
    ],
)
def test_a_bad_grace_period_is_refused_plainly(
    app: Flask, client: FlaskClient, coordinator: Any, value: str, message: str
) -> None:
    response = client.post("/rounds/new", data=_form(client, grace_days=value))
    assert response.status_code == 422
    assert message in _text(response)
    assert round_count(app) == 0


def _launched(app: Flask, make_round: Callable[..., uuid.UUID], closes_days: int) -> uuid.UUID:
    round_id = make_round()
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        rnd.status = RoundStatus.LIVE
        rnd.opens_on = today() - timedelta(days=20)
        rnd.closes_on = today() - timedelta(days=closes_days)
        rnd.grace_days = 3
        db.session.commit()
    return round_id


def test_the_round_page_says_it_is_accepting_answers_made_before_the_close(
    app: Flask, client: FlaskClient, coordinator: Any, make_round: Callable[..., uuid.UUID]
) -> None:
    round_id = _launched(app, make_round, closes_days=1)
    text = _text(client.get(f"/rounds/{round_id}"))
    until = today() - timedelta(days=1) + timedelta(days=3)
    with app.test_request_context():
        assert f"Closed: accepting answers made before the close until {long_date(until)}" in text


def test_after_the_grace_period_the_page_asks_to_close_it(
    app: Flask, client: FlaskClient, coordinator: Any, make_round: Callable[..., uuid.UUID]
) -> None:
    round_id = _launched(app, make_round, closes_days=4)
    text = _text(client.get(f"/rounds/{round_id}"))
    assert "accepting answers made before the close" not in text
    assert "Close it to make its results final" in text
