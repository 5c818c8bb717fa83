"""Saving a draft's settings keeps its imported translations (issue 17 regression): a change
that rebuilds the questionnaires used to drop every translation but the item bank's."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import FeedbackRound, ItemOrigin
from app.services.frameworks import get_framework
from app.services.round_edits import add_custom_item, set_intro
from app.services.translations import missing
from tests.app.rounds.test_round_pages import _form
from tests.app.rounds.test_translation_workbook import _download, _fill, _upload


def _words(app: Flask, round_id: uuid.UUID) -> dict[str, Any]:
    """Each part's English -> its Welsh and Arabic, by content, since a rebuild makes new ids."""
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        (q,) = rnd.questionnaires
        t = q.translations or {}
        found: dict[str, Any] = {"intro": (t["cy"]["intro"], t["ar"]["intro"])}
        for s in q.sections:
            found[s["title"]] = tuple(t[c]["sections"].get(s["id"]) for c in ("cy", "ar"))
        for item in q.items:
            found[item.statement] = tuple(t[c]["items"].get(str(item.id)) for c in ("cy", "ar"))
        return found


def _save(client: FlaskClient, round_id: uuid.UUID, choice: list[str]) -> None:
    data = _form(
        client,
        choice=choice,
        audience=["parents"],
        language=["en", "cy", "ar"],
        default_language="en",
    )
    response = client.post(f"/rounds/{round_id}/edit", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]


def test_saving_settings_that_rebuild_the_questionnaire_keeps_imported_translations(
    app: Flask, client: FlaskClient, coordinator: Any, make_round: Callable[..., uuid.UUID]
) -> None:
    round_id = make_round(
        audiences=["parents"], indicator_ids=["2.1"], languages=["en", "cy", "ar"]
    )
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        (q,) = rnd.questionnaires
        framework = get_framework(rnd.organisation_id, rnd.framework_id)
        add_custom_item(q, framework, "2.1", None, "The staff here listen to my family.")
        set_intro(q, "Please tell us what you think of our services.")  # the coordinator's own
        db.session.commit()
    book = _download(client, round_id)
    _fill(book)
    assert _upload(client, round_id, book).status_code == 303
    before = _words(app, round_id)
    assert all(cy == f"CY {english}" for english, (cy, _) in before.items() if english != "intro")

    _save(client, round_id, ["indicator:2.1", "indicator:2.2"])  # a new indicator: a rebuild

    after = _words(app, round_id)
    for english, words in before.items():
        assert after[english] == words, english  # bank, custom, heading and intro all kept
    new = [english for english in after if english not in before]
    assert new and all(after[english] == (None, None) for english in new)
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        assert any(i.origin == ItemOrigin.CUSTOM for i in rnd.questionnaires[0].items)
        # Only what is new needs translating before launch.
        assert {p.english for p in missing(rnd, {})["cy"]} == set(new)

    _save(client, round_id, ["indicator:2.1"])  # and back again: the 2.1 words still there
    again = _words(app, round_id)
    assert again == before


def test_a_translation_of_words_that_changed_is_not_carried(
    app: Flask, client: FlaskClient, coordinator: Any, make_round: Callable[..., uuid.UUID]
) -> None:
    round_id = make_round(
        audiences=["parents"], indicator_ids=["2.1"], languages=["en", "cy", "ar"]
    )
    book = _download(client, round_id)
    _fill(book)
    assert _upload(client, round_id, book).status_code == 303
    before = _words(app, round_id)
    _save(client, round_id, ["indicator:2.1", "indicator:2.2"])
    after = _words(app, round_id)
    # Chorus's own introduction now gives another length, so its old translation is stale.
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        intro = rnd.questionnaires[0].intro
    assert after["intro"] == ("", "") and before["intro"][0] != f"CY {intro}"
