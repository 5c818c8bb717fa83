"""A coordinator chooses the languages a round offers, seeing each catalog's status (issue 17)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import FeedbackRound
from tests.app.rounds.test_round_pages import _form, _text


def _languages(app: Flask, round_id: uuid.UUID) -> list[str]:
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        return list(rnd.languages)


def test_settings_show_each_languages_status_and_save_the_choice(
    app: Flask, client: FlaskClient, coordinator: Any, make_round: Callable[..., uuid.UUID]
) -> None:
    round_id = make_round()
    assert _languages(app, round_id) == ["en"]
    page = client.get(f"/rounds/{round_id}/edit")
    text = _text(page)
    assert "Welsh ( Cymraeg )" in text and "Arabic ( العربية )" in text
    assert "Interface 100% translated; reviewed by a fluent speaker: no." in text
    assert 'value="en" checked' in page.get_data(as_text=True)
    response = client.post(
        f"/rounds/{round_id}/edit",
        data=_form(client, language=["en", "cy"], default_language="cy"),
    )
    assert response.status_code == 303
    assert _languages(app, round_id) == ["cy", "en"]  # the one shown first leads
    again = client.get(f"/rounds/{round_id}/edit").get_data(as_text=True)
    assert 'value="cy" checked' in again and '<option value="cy" selected>' in again


def test_bad_languages_are_refused_and_change_nothing(
    app: Flask, client: FlaskClient, coordinator: Any, make_round: Callable[..., uuid.UUID]
) -> None:
    round_id = make_round()
    for data, message in (
        ({"language": ["en", "xx"], "default_language": "en"}, "no interface in 'xx'"),
        ({"language": ["en"], "default_language": "ar"}, "must be one of the languages chosen"),
    ):
        response = client.post(
            f"/rounds/{round_id}/edit", data=_form(client, name="Renamed", **data)
        )
        assert response.status_code == 422
        assert message in _text(response)
        assert _languages(app, round_id) == ["en"]
