"""Bad input gets a specific message and a 4xx, and changes nothing."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models import Comment, Response, SavedDraft
from tests.app.respond.helpers import (
    Browser,
    Launched,
    invite,
    launch_round,
    page_fields,
    questionnaire_items,
)
from tests.support import release_all


@pytest.fixture
def base(app: Flask, launched: Launched, phone: Browser) -> str:
    phone.enter(f"/r/{invite(app, launched.round_id)}")
    phone.start()
    return f"/q/{launched.questionnaires['parents']}"


def _nothing_stored(app: Flask) -> bool:
    with app.app_context():
        return all(
            db.session.execute(select(func.count()).select_from(m)).scalar_one() == 0
            for m in (Response, Comment, SavedDraft)
        )


def _progress(phone: Browser) -> str | None:
    cookie = phone.client.get_cookie("chorus_progress")
    return cookie.value if cookie else None


@pytest.mark.parametrize(
    ("tamper", "words"),
    [
        (
            lambda app, launched, _: {"a-" + "0" * 8 + "-0000-4000-8000-" + "0" * 12: "a"},
            "not in this survey",
        ),
        (lambda app, launched, _: {"a-not-a-uuid": "a"}, "not in this survey"),
        (
            lambda app, launched, _: {
                "a-" + questionnaire_items(app, launched.questionnaires["parents"])[-1]: "a"
            },
            "from a different page",
        ),
        (
            lambda app, launched, _: {
                "a-"
                + questionnaire_items(app, launch_round(app, "Org B").questionnaires["parents"])[
                    0
                ]: "a"
            },
            "not in this survey",
        ),
        (
            lambda app, launched, _: {"ft-1-works_well": "hi"},
            "comment box that is not on this page",
        ),
        (lambda app, launched, _: {"ft-0-anything": "hi"}, "comment box that is not on this page"),
        (lambda app, launched, _: {"role": "under_5"}, "not on this page"),
    ],
)
def test_tampered_fields_are_refused_with_400(
    app: Flask, launched: Launched, base: str, phone: Browser, tamper, words: str
) -> None:
    before = _progress(phone)
    data = {**phone.answer(), **tamper(app, launched, phone), "nav": "next"}
    response = phone.post(f"{base}/page/1", data)
    assert response.status_code == 400
    assert words in phone.html and "Nothing was saved" in phone.html
    assert _progress(phone) == before
    assert _nothing_stored(app)


def test_two_answers_to_one_question_is_tampering(app: Flask, base: str, phone: Browser) -> None:
    name = next(iter(page_fields(phone.html)["radios"]))
    response = phone.client.post(
        f"{base}/page/1",
        data={"csrf_token": phone.csrf(), name: ["a", "d"], "nav": "next"},
    )
    assert response.status_code == 400
    assert "more than one answer" in response.get_data(as_text=True)


@pytest.mark.parametrize("value", ["maybe", "happy", "SA", " ", "sa,a"])
def test_values_outside_the_scale_get_a_message_at_the_question(
    app: Flask, base: str, phone: Browser, value: str
) -> None:
    name = next(iter(page_fields(phone.html)["radios"]))
    response = phone.post(f"{base}/page/1", {**phone.answer(), name: value, "nav": "next"})
    assert response.status_code == 422
    assert f'<a href="#{name}">' in phone.html
    expected = "Select an answer" if not value.strip() else "Select one of the answers shown"
    assert expected in phone.html


def test_comments_over_the_limit_are_refused_and_not_kept(
    app: Flask, base: str, phone: Browser
) -> None:
    long = "x" * 1001
    response = phone.post(
        f"{base}/page/1", {**phone.answer(), "ft-0-works_well": long, "nav": "next"}
    )
    assert response.status_code == 422
    assert "must be 1,000 characters or fewer. You have 1,001 characters." in phone.text
    assert f">{long}</textarea>" in phone.html  # shown again to shorten, not thrown away
    phone.follow(phone.post(f"{base}/page/1", {"nav": "back"}))
    phone.start()
    assert long not in phone.html  # ...but never kept
    ok = "y" * 1000
    response = phone.post(
        f"{base}/page/1", {**phone.answer(), "ft-0-works_well": ok, "nav": "next"}
    )
    assert response.status_code == 303


def test_back_and_save_never_drop_an_over_long_comment_silently(
    app: Flask, base: str, phone: Browser
) -> None:
    long = "w" * 1001
    for nav in ("back", "save"):
        response = phone.post(f"{base}/page/1", {"ft-0-works_well": long, "nav": nav})
        assert response.status_code == 422, nav
        assert "must be 1,000 characters or fewer" in phone.text
        assert "Select an answer" not in phone.text  # going back is not held up by blanks
    assert _nothing_stored(app)


def test_more_writing_than_the_device_can_hold_is_asked_to_be_shorter(
    app: Flask, phone: Browser
) -> None:
    """Random text barely compresses: enough of it fills the progress cookie."""
    import random
    import string

    wide = launch_round(app, "Org W", indicators=("2.1", "5.1", "5.2", "5.3", "6.2", "8.3"))
    phone.enter(f"/r/{invite(app, wide.round_id)}")
    phone.start()
    rng = random.Random(7)
    statuses = []
    for _ in range(8):
        if "/send" in phone.form_action():
            break
        texts = {
            name: "".join(rng.choice(string.ascii_letters) for _ in range(1000))
            for name in page_fields(phone.html)["texts"]
        }
        response = phone.post(phone.form_action(), {**phone.answer(), **texts, "nav": "next"})
        statuses.append(response.status_code)
        if response.status_code != 303:
            break
        phone.follow(response)
    assert statuses[-1] == 422, statuses
    assert "shorten your comments on this page" in phone.html
    assert len(phone.client.get_cookie("chorus_progress").value) <= 3800


def test_bodies_over_100_kb_are_refused_with_413(app: Flask, base: str, phone: Browser) -> None:
    response = phone.post(
        f"{base}/page/1", {**phone.answer(), "ft-0-works_well": "z" * 110_000, "nav": "next"}
    )
    assert response.status_code == 413
    assert "That was too much to send" in phone.html and "Nothing was saved" in phone.html
    assert "<html" in phone.html and "css/respond." in phone.html  # the respondent layout


def test_missing_csrf_is_refused_and_changes_nothing(app: Flask, base: str, phone: Browser) -> None:
    before = _progress(phone)
    response = phone.client.post(f"{base}/page/1", data={**phone.answer(), "nav": "next"})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "This page had expired" in body and "css/respond." in body
    assert _progress(phone) == before


def test_unknown_buttons_are_refused(base: str, phone: Browser) -> None:
    response = phone.post(f"{base}/page/1", {**phone.answer(), "nav": "delete-everything"})
    assert response.status_code == 400
    assert "Please use the buttons on the page" in phone.html


def test_a_forged_progress_cookie_is_ignored(base: str, phone: Browser) -> None:
    phone.client.set_cookie("chorus_progress", "eyJxIjoiMSJ9.forged")
    assert phone.get(f"{base}/page/1").location == base  # back to the start, nothing trusted


def test_control_characters_are_removed_from_comments(
    app: Flask, base: str, phone: Browser
) -> None:
    messy = "Good\x00 staff\x07\r\nand \ud7ffthings\x1b"
    phone.follow(
        phone.post(f"{base}/page/1", {**phone.answer(), "ft-0-works_well": messy, "nav": "next"})
    )
    phone.reach_last_page()
    phone.post(phone.form_action(), {"role": "under_5", "nav": "send"})
    release_all(app)
    with app.app_context():
        assert (
            db.session.execute(select(Comment.text)).scalar_one() == "Good staff\nand \ud7ffthings"
        )


def test_post_to_a_closed_round_page_is_refused(
    app: Flask, launched: Launched, base: str, phone: Browser
) -> None:
    from app.models import RoundStatus
    from tests.app.respond.helpers import set_round

    set_round(app, launched.round_id, status=RoundStatus.CLOSED)
    response = phone.post(f"{base}/page/1", {**phone.answer(), "nav": "next"})
    assert response.status_code == 410
    assert _nothing_stored(app)
