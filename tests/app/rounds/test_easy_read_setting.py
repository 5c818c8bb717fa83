"""A coordinator asks service users in easy read (issue 17): the settings form's choice, its
refusal of anything else, and the questionnaire it makes."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import FeedbackRound
from tests.app.rounds.test_round_pages import _form, _text

DERWENT = {
    "framework_id": "derwent-interagency",
    "choice": ["indicator:communicate-2.1", "indicator:communicate-14.1"],
    "audience": ["service_users", "staff"],
}


def _only_round(app: Flask) -> FeedbackRound:
    with app.app_context():
        rnd = db.session.execute(select(FeedbackRound)).scalar_one()
        db.session.expunge(rnd)
        return rnd


def _easy(app: Flask, round_id: uuid.UUID) -> dict[str, bool]:
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        return {q.audience: q.easy_read for q in rnd.questionnaires}


def test_service_users_can_be_asked_in_easy_read_and_back(
    app: Flask, client: FlaskClient, coordinator: Any
) -> None:
    response = client.post("/rounds/new", data=_form(client, **DERWENT, easy_read="service_users"))
    assert response.status_code == 303, _text(response)[:2000]
    rnd = _only_round(app)
    assert rnd.easy_read_audiences == ["service_users"]
    assert _easy(app, rnd.id) == {"service_users": True, "staff": False}
    page = client.get(f"/rounds/{rnd.id}/edit").get_data(as_text=True)
    assert 'name="easy_read" value="service_users" checked' in page
    # Saving without the box ticked gives them the usual questionnaire again.
    assert client.post(f"/rounds/{rnd.id}/edit", data=_form(client, **DERWENT)).status_code == 303
    assert _easy(app, rnd.id) == {"service_users": False, "staff": False}


def test_easy_read_for_another_audience_is_refused_and_nothing_is_made(
    app: Flask, client: FlaskClient, coordinator: Any
) -> None:
    response = client.post("/rounds/new", data=_form(client, **DERWENT, easy_read="staff"))
    assert response.status_code == 422
    assert "Easy read can be chosen for people who use the service only." in _text(response)
    with app.app_context():
        assert db.session.execute(select(FeedbackRound)).first() is None


def test_an_easy_read_statement_the_coordinator_writes_has_at_most_15_words(
    app: Flask, client: FlaskClient, coordinator: Any
) -> None:
    from app.services.frameworks import get_framework
    from app.services.round_edits import add_custom_item, reword_item
    from app.services.rounds import RoundError

    assert (
        client.post(
            "/rounds/new", data=_form(client, **DERWENT, easy_read="service_users")
        ).status_code
        == 303
    )
    long = (
        "People here always really listen carefully to everything I say about all the help I get."
    )
    with app.app_context():
        rnd = db.session.execute(select(FeedbackRound)).scalar_one()
        framework = get_framework(rnd.organisation_id, rnd.framework_id)
        by = {q.audience: q for q in rnd.questionnaires}
        for attempt in (
            lambda: add_custom_item(by["service_users"], framework, "communicate-2.1", None, long),
            lambda: reword_item(by["service_users"].items[0], long),
        ):
            try:
                attempt()
            except RoundError as exc:
                assert "at most 15 words (this one has 16)" in exc.errors["statement"]
            else:
                raise AssertionError("a 16-word easy-read statement was accepted")
        # Staff answer the usual questionnaire: the same words are fine there.
        assert add_custom_item(by["staff"], framework, "communicate-14.1", None, long)


def test_a_bank_translation_of_the_usual_wording_is_not_given_to_the_easy_read_item(
    app: Flask, make_round: Any
) -> None:
    from pathlib import Path

    import yaml

    from app.services.accounts import get_or_create_organisation
    from app.services.frameworks import import_upload

    path = Path(__file__).resolve().parents[3] / "frameworks" / "derwent-interagency.yaml"
    data = yaml.safe_load(path.read_text())
    data["id"] = "derwent-welsh"
    indicator = next(i for i in data["indicators"] if i["id"] == "communicate-2.1")
    indicator["items"]["service_users"][0]["statements"] = {"cy": "Gofynnwyd fy marn."}
    with app.app_context():
        org = get_or_create_organisation("Org A")
        import_upload(org.id, yaml.safe_dump(data, allow_unicode=True).encode(), "w.yaml")
        db.session.commit()
    welsh: dict[bool, list[str]] = {}
    for easy in (False, True):
        round_id = make_round(
            framework_id="derwent-welsh",
            audiences=["service_users"],
            indicator_ids=["communicate-2.1"],
            languages=["en", "cy"],
            easy_read_audiences=["service_users"] if easy else [],
        )
        with app.app_context():
            rnd = db.session.get(FeedbackRound, round_id)
            assert rnd is not None
            (q,) = rnd.questionnaires
            welsh[easy] = list(((q.translations or {}).get("cy") or {}).get("items", {}).values())
    assert welsh == {False: ["Gofynnwyd fy marn."], True: []}
