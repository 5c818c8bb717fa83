"""A frozen questionnaire's pages as first shown are rendered once per process; nothing a
respondent chose or typed is ever kept in that cache."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from app.services.responding import load_survey
from tests.app.respond.helpers import Browser, Launched, invite

_QUESTIONS = re.compile(r'<div class="questions">.*?</form>', re.S)
COMMENT = "Our family worker rings back the same day"


def _questions(html: str) -> str:
    found = _QUESTIONS.search(html)
    assert found, "no questions on the page"
    return found.group(0)


def _held(app: Flask, launched: Launched) -> list[str]:
    with app.test_request_context():
        survey = load_survey(launched.questionnaires["parents"])
        assert survey is not None
        return [str(markup) for markup in survey.shape.rendered.values()]


def test_two_people_see_the_same_first_page_and_it_is_rendered_once(
    app: Flask, launched: Launched, client: FlaskClient
) -> None:
    first, second = Browser(client), Browser(app.test_client())
    for phone in (first, second):
        phone.enter(f"/r/{invite(app, launched.round_id)}")
        phone.start()
    assert _questions(first.html) == _questions(second.html)
    held = _held(app, launched)
    assert len(held) == 1 and 'name="' in held[0] and " checked" not in held[0]


def test_answers_and_comments_are_shown_back_but_never_cached(
    app: Flask, launched: Launched, phone: Browser
) -> None:
    phone.enter(f"/r/{invite(app, launched.round_id)}")
    phone.start()
    choose = "strongly_agree"
    while not phone.on_last_page():
        texts = {
            name: COMMENT for name in re.findall(r'<textarea id="[^"]+" name="([^"]+)"', phone.html)
        }
        data = {**phone.answer(choose, texts), "nav": "next"}
        phone.follow(phone.post(phone.form_action(), data))
    # Back to the first page: the chosen answers come back checked, from a fresh rendering.
    phone.follow(phone.post(phone.form_action(), {**phone.answer(choose), "nav": "back"}))
    while "Back" in phone.html and "/page/1" not in phone.form_action():
        phone.follow(phone.post(phone.form_action(), {**phone.answer(choose), "nav": "back"}))
    assert " checked" in _questions(phone.html)
    held = _held(app, launched)
    assert held, "the pages first shown were cached"
    assert not any(" checked" in markup or COMMENT in markup for markup in held)
