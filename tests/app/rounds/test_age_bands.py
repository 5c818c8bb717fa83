"""The coordinator chooses which age bands a round asks children and young people (issue 20):
checkboxes on the round form, one or more; the API says the same; a draft from before age bands
keeps loading, and shows the bands its one band covered."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from app.extensions import db
from app.invitations.common import audience_labels
from app.models import FeedbackRound
from app.services import round_edits
from app.services.frameworks import get_framework
from app.services.launch import plan_launch
from app.services.responding import today
from tests.app.rounds.helpers import HMIE, round_count
from tests.app.rounds.test_round_pages import _form, _round, _text


def test_the_form_offers_three_bands_all_ticked_for_a_new_round(
    client: FlaskClient, coordinator: Any
) -> None:
    html = client.get(f"/rounds/new?framework={HMIE}").get_data(as_text=True)
    assert "Age bands of children and young people" in html
    for band in ("under_8", "8_to_12", "13_plus"):
        assert f'type="checkbox" id="band-{band}" name="children_band" value="{band}" checked' in (
            html
        )
    assert 'value="under_12"' not in html and 'value="12_plus"' not in html


def test_children_without_a_band_is_refused_with_the_error_summary(
    app: Flask, client: FlaskClient, coordinator: Any
) -> None:
    response = client.post("/rounds/new", data=_form(client, children_band=None))
    assert response.status_code == 422
    text = _text(response)
    assert "Choose at least one age band for children and young people." in text
    assert 'href="#children_bands"' in response.get_data(as_text=True)
    assert round_count(app) == 0
    # Without children in the round, no band is needed.
    response = client.post(
        "/rounds/new", data=_form(client, children_band=None, audience=["parents", "staff"])
    )
    assert response.status_code == 303


def test_unknown_bands_are_refused(app: Flask, client: FlaskClient, coordinator: Any) -> None:
    response = client.post("/rounds/new", data=_form(client, children_band=["teens"]))
    assert response.status_code == 422
    assert "Unknown children's age band 'teens'" in _text(response)
    assert round_count(app) == 0


def test_one_band_only_asks_that_band(app: Flask, client: FlaskClient, coordinator: Any) -> None:
    response = client.post("/rounds/new", data=_form(client, children_band=["13_plus"]))
    assert response.status_code == 303
    page = _text(client.get(response.headers["Location"]))
    assert "13 and over: the same scale as adults" in page
    with app.app_context():
        rnd = db.session.query(FeedbackRound).one()
        assert rnd.children_bands == ["13_plus"]
        assert {q.audience for q in rnd.questionnaires} == {
            "parents",
            "children_13_plus",
            "staff",
        }


def test_a_legacy_draft_loads_and_its_form_ticks_the_bands_it_covered(
    app: Flask,
    client: FlaskClient,
    coordinator: Any,
    make_round: Callable[..., uuid.UUID],
) -> None:
    round_id = make_round(children_bands=["under_12"])
    rnd = _round(app, round_id)
    assert rnd.children_bands == ["under_12"]
    with app.app_context():
        audiences = {q.audience for q in db.session.get(FeedbackRound, round_id).questionnaires}
    assert "children" in audiences  # the one questionnaire it always had
    show = _text(client.get(f"/rounds/{round_id}"))
    assert "Under 12 (one band, from before age bands)" in show
    form = client.get(f"/rounds/{round_id}/edit").get_data(as_text=True)
    assert 'value="under_8" checked' in form and 'value="8_to_12" checked' in form
    assert 'value="13_plus" checked' not in form
    # As a migrated row (the old value stored by migration 0099) it reads the same.
    with app.app_context():
        db.session.execute(
            update(FeedbackRound)
            .where(FeedbackRound.id == round_id)
            .values(children_bands=["12_plus"])
        )
        db.session.commit()
    form = client.get(f"/rounds/{round_id}/edit").get_data(as_text=True)
    assert 'value="13_plus" checked' in form and 'value="under_8" checked' not in form


def test_a_long_statement_for_children_under_8_is_a_launch_warning(
    app: Flask, make_round: Callable[..., uuid.UUID]
) -> None:
    round_id = make_round(indicator_ids=["2.1"], children_bands=["under_8", "13_plus"])
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        codes = [w.code for w in plan_launch(rnd, audience_labels(rnd), today()).checks]
        assert "long_for_young_children" not in codes  # the bank's sentences are short
        young = next(q for q in rnd.questionnaires if q.audience == "children_under_8")
        older = next(q for q in rnd.questionnaires if q.audience == "children_13_plus")
        framework = get_framework(rnd.organisation_id, rnd.framework_id)
        words = "The adults who work at the centre always explain things to me so I understand."
        round_edits.add_custom_item(older, framework, "2.1", None, words)
        codes = [w.code for w in plan_launch(rnd, audience_labels(rnd), today()).checks]
        assert "long_for_young_children" not in codes  # 13 and over read longer sentences
        round_edits.add_custom_item(young, framework, "2.1", None, words)
        checks = plan_launch(rnd, audience_labels(rnd), today()).checks
        (long,) = [w for w in checks if w.code == "long_for_young_children"]
        assert words in long.message
        db.session.rollback()
