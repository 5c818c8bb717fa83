"""The "survey closed" page during a round's grace period (issue 18): answers made before the
close and queued on a device are still accepted until its last day, and the page says so."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.dates import long_date
from app.models import RoundStatus
from app.services.responding import today
from tests.app.respond.helpers import Launched, add_open_link, invite, launch_round, set_round

LATE = "still accepted until"


def _ended(app: Flask, org: str, closed_days_ago: int, grace_days: int = 3) -> Launched:
    launched = launch_round(
        app,
        org,
        opens_on=today() - timedelta(days=20),
        closes_on=today() - timedelta(days=closed_days_ago),
    )
    set_round(app, launched.round_id, grace_days=grace_days, languages=["en", "cy", "ar"])
    return launched


def test_the_closed_page_names_the_grace_periods_last_day(app: Flask, client: FlaskClient) -> None:
    ended = _ended(app, "Org grace", 1)
    last_day = long_date(today() - timedelta(days=1) + timedelta(days=3))
    response = client.get(f"/r/{invite(app, ended.round_id)}")
    assert response.status_code == 410
    html = response.get_data(as_text=True)
    assert "This survey has closed" in html
    assert f"{LATE} {last_day}." in html
    response = client.get(f"/o/{add_open_link(app, ended.round_id)}")
    assert response.status_code == 410 and LATE in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("language", "words"), [("cy", "yn dal i gael eu derbyn tan"), ("ar", "ما زلنا نقبل حتى")]
)
def test_the_grace_sentence_is_translated(
    app: Flask, client: FlaskClient, language: str, words: str
) -> None:
    ended = _ended(app, f"Org {language}", 1)
    response = client.get(f"/r/{invite(app, ended.round_id)}?lang={language}")
    assert response.status_code == 410
    assert words in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("closed_days_ago", "change"),
    [(4, {}), (1, {"status": RoundStatus.CLOSED}), (1, {"grace_days": 0})],
    ids=["grace over", "closed by its coordinator", "no grace period"],
)
def test_no_grace_sentence_when_nothing_more_is_accepted(
    app: Flask, client: FlaskClient, closed_days_ago: int, change: dict[str, object]
) -> None:
    ended = _ended(app, "Org over", closed_days_ago)
    if change:
        set_round(app, ended.round_id, **change)
    response = client.get(f"/r/{invite(app, ended.round_id)}")
    assert response.status_code == 410
    html = response.get_data(as_text=True)
    assert "This survey has closed" in html and LATE not in html
    assert "Thank you for wanting to take part." in html
