"""The coordinator's preview: the same pages respondents see, at phone width, answering off."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.models import RoundStatus
from tests.app.respond.helpers import Browser, Launched, invite, launch_round
from tests.support import login

_QUESTIONS = re.compile(
    r'(<div class="questions">.*?</div>)\n(?:<p>When you send|<div class="nav">)', re.S
)


def _frames(html: str) -> list[str]:
    return re.findall(
        r'<section class="r phone[^"]*" aria-label="[^"]+">(.*?)</section>', html, re.S
    )


@pytest.fixture
def signed_in(app: Flask, client: FlaskClient, make_user) -> FlaskClient:
    make_user("coord@a.example", "Org A")
    login(client, "coord@a.example")
    return client


def test_preview_needs_sign_in_and_is_not_public(app: Flask, launched: Launched, client) -> None:
    response = client.get(f"/rounds/{launched.round_id}/preview/parents")
    assert response.status_code == 302 and "/login" in response.location
    assert not getattr(app.view_functions["respond.preview"], "chorus_public", False)


def test_another_organisations_round_is_404(app: Flask, signed_in: FlaskClient) -> None:
    theirs = launch_round(app, "Org B")
    assert signed_in.get(f"/rounds/{theirs.round_id}/preview/parents").status_code == 404


def test_unknown_audience_is_404(launched: Launched, signed_in: FlaskClient) -> None:
    response = signed_in.get(f"/rounds/{launched.round_id}/preview/staff")
    assert response.status_code == 404
    assert "no questionnaire for that audience" in response.get_data(as_text=True)


@pytest.mark.parametrize("audience", ["parents", "children"])
def test_preview_questions_are_exactly_what_respondents_get(
    app: Flask, launched: Launched, signed_in: FlaskClient, audience: str
) -> None:
    preview = signed_in.get(f"/rounds/{launched.round_id}/preview/{audience}")
    assert preview.status_code == 200
    frames = _frames(preview.get_data(as_text=True))
    phone = Browser(app.test_client())
    phone.enter(f"/r/{invite(app, launched.round_id, audience)}")
    phone.start()
    pages = len(frames) - 2  # a welcome frame, the pages, a thank-you frame
    assert pages == (3 if audience == "parents" else 9)
    for number in range(1, pages + 1):
        served = _QUESTIONS.findall(phone.html)
        shown = _QUESTIONS.findall(frames[number])
        assert served and served == shown, f"page {number} differs"
        if number < pages:
            phone.follow(phone.post(phone.form_action(), {**phone.answer(), "nav": "next"}))


def test_preview_shows_time_frames_and_no_way_to_answer(
    launched: Launched, signed_in: FlaskClient
) -> None:
    html = signed_in.get(f"/rounds/{launched.round_id}/preview/parents").get_data(as_text=True)
    assert "About 4 minutes to answer: 7 questions on 3 pages" in html
    assert "may be too long" not in html
    assert 'class="site-header"' in html  # the staff layout around the phone frames
    frames = _frames(html)
    for frame in frames[1:-1]:
        assert '<fieldset class="locked" disabled>' in frame
        assert "<form" not in frame
    assert "Save and continue later" not in html  # no entry: nothing to save to
    assert 'href="/rounds/' in html and "/preview/children" in html  # the other audience


def test_long_questionnaires_are_flagged(app: Flask, signed_in: FlaskClient) -> None:
    every = ("1.1", "1.2", "2.1", "2.2", "3.1", "4.2", "5.1", "5.2", "5.3", "6.1", "7.1", "7.2")
    long = launch_round(app, indicators=every, audiences=("staff",))
    html = signed_in.get(f"/rounds/{long.round_id}/preview/staff").get_data(as_text=True)
    assert "This questionnaire may be too long" in html
    assert "more than 10" in html


def test_draft_rounds_preview_their_current_questions(app: Flask, signed_in: FlaskClient) -> None:
    draft = launch_round(app, status=RoundStatus.DRAFT)
    html = signed_in.get(f"/rounds/{draft.round_id}/preview/parents").get_data(as_text=True)
    assert "My child feels safe when using the services here." in html
