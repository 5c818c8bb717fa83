"""A frozen questionnaire's pages as first shown, and its check page's rows, are rendered once
per process; nothing a respondent chose or typed is ever kept in that cache."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.respond import views
from app.services.responding import clear_shape_cache, load_survey
from tests.app.respond.helpers import Browser, Launched, invite, page_fields
from tests.app.respond.test_own_questions import good, launch_with_questions, to_own_page

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


# -- the check page's rows ------------------------------------------------------------------------

# What differs between two requests whatever the rows: the CSRF token and the offline grant.
_TOKEN = re.compile(r'(name="csrf_token" value="|name="csrf-token" content="|-grant=")[^"]+')


def _check_page(phone: Browser, base: str, headers: dict[str, str] | None = None) -> str:
    response = phone.client.get(f"{base}/check", headers=headers or {})
    assert response.status_code == 200, response.status_code
    return _TOKEN.sub(r"\1TOKEN", response.get_data(as_text=True))


def _kept_check(app: Flask, questionnaire_id: object) -> list[object]:
    with app.test_request_context():
        survey = load_survey(questionnaire_id)  # type: ignore[arg-type]
        assert survey is not None
        return [kept for key, kept in survey.shape.rendered.items() if key[0] == "check"]


@pytest.mark.parametrize("audience", ["parents", "children"])
def test_the_check_page_from_kept_rows_is_the_page_rendered_afresh(
    app: Flask, phone: Browser, monkeypatch: pytest.MonkeyPatch, audience: str
) -> None:
    round_id, ids = launch_with_questions(app)
    phone.enter(f"/r/{invite(app, round_id, audience)}")
    phone.start()
    to_own_page(phone)
    adults = audience == "parents"
    # Adults answer every own question but one; children (a question a page) the first only.
    own = {**good(ids), f"q-{ids[3]}": ""} if adults else {}
    first = phone.answer("a" if adults else "no")
    phone.follow(phone.post(phone.form_action(), {**first, **own, "nav": "next"}))
    phone.reach_check("a" if adults else "happy")
    base = phone.form_action().rsplit("/", 1)[0]
    kept = [_check_page(phone, base), _check_page(phone, base, {"HX-Request": "true"})]
    assert not adults or ("A neighbour told me" in kept[0] and "Longer opening hours" in kept[0])
    monkeypatch.setattr(views, "check_row_renderer", lambda *_args: None)
    afresh = [_check_page(phone, base), _check_page(phone, base, {"HX-Request": "true"})]
    assert kept == afresh


def test_the_kept_check_rows_hold_no_answers_and_do_not_depend_on_them(
    app: Flask, launched: Launched
) -> None:
    seen = []
    for choose, comment in (("strongly_agree", COMMENT), ("disagree", "")):
        clear_shape_cache()
        phone = Browser(app.test_client())
        phone.enter(f"/r/{invite(app, launched.round_id)}")
        phone.start()
        while not phone.on_last_page():
            data = phone.answer(choose, {n: comment for n in page_fields(phone.html)["texts"]})
            phone.follow(phone.post(phone.form_action(), {**data, "nav": "next"}))
        phone.reach_check(choose)
        assert "Not answered" not in phone.text
        seen.append(_kept_check(app, launched.questionnaires["parents"]))
    assert seen[0] and seen[0] == seen[1]
    assert COMMENT not in repr(seen[0])
