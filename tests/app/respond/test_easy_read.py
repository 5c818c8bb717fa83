"""Children's easy-read mode: one question a screen, faces with words, short plain sentences."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import Answer, Comment, Response
from tests.app.respond.helpers import Browser, Launched, invite, page_fields
from tests.support import release_all


def _start(app: Flask, launched: Launched, phone: Browser) -> str:
    phone.enter(f"/r/{invite(app, launched.round_id, 'children')}")
    phone.start()
    return f"/q/{launched.questionnaires['children']}"


def test_one_question_per_screen_with_the_statement_as_the_heading(
    app: Flask, launched: Launched, phone: Browser
) -> None:
    _start(app, launched, phone)
    html = phone.html
    assert 'class="r easy"' in html
    assert "Question 1 of 9" in html  # 7 statements and 2 "tell us more" screens
    assert len(page_fields(html)["radios"]) == 1
    # The statement is the page's only h1, inside the legend: read once, as the question.
    assert len(re.findall(r"<h1", html)) == 1
    assert re.search(r'<legend class="big"><h1 tabindex="-1">[^<]+</h1></legend>', html)
    assert ">Next</button>" in html


def test_faces_have_words_and_the_pictures_are_hidden_from_screen_readers(
    app: Flask, launched: Launched, phone: Browser
) -> None:
    _start(app, launched, phone)
    html = phone.html
    labels = re.findall(r"<label for=\"[^\"]+\">(.*?)</label>", html)
    assert len(labels) == 4
    for label, words in zip(labels, ["Yes, mostly", "Sometimes", "No, not really"], strict=False):
        assert label.startswith('<svg class="face" viewBox="0 0 40 40" aria-hidden="true"')
        assert 'focusable="false"' in label
        assert label.endswith(f"<span>{words}</span>")
    assert labels[3] == "<span>Don&#39;t know</span>"
    assert page_fields(html)["radios"].popitem()[1] == ["happy", "ok", "sad", "dk"]


def test_easy_read_errors_and_comment_screens_use_short_sentences(
    app: Flask, launched: Launched, phone: Browser
) -> None:
    base = _start(app, launched, phone)
    response = phone.post(f"{base}/page/1", {"nav": "next"})
    assert response.status_code == 422
    assert "Pick a face, or pick “Don't know”." in phone.text
    for number in range(1, 5):  # HMIE 2.1 asks children four things
        phone.follow(phone.post(f"{base}/page/{number}", {**phone.answer("ok"), "nav": "next"}))
    assert "Question 5 of 9" in phone.html and '<h1 tabindex="-1">Tell us more</h1>' in phone.html
    assert "What is good?" in phone.html and "What could be better?" in phone.html
    assert "You do not have to write anything." in phone.html


def test_a_child_can_answer_to_the_end(app: Flask, launched: Launched, phone: Browser) -> None:
    _start(app, launched, phone)
    for _ in range(10):  # nine screens, then "You are nearly done"
        is_last = "/send" in phone.form_action()
        texts = page_fields(phone.html)["texts"]
        data = {**phone.answer("happy"), "nav": "send" if is_last else "next"}
        if texts:
            data[texts[0]] = "I like the club"
        phone.follow(phone.post(phone.form_action(), data))
    assert "Thank you" in phone.html
    release_all(app)
    with app.app_context():
        response = db.session.execute(select(Response)).scalar_one()
        assert response.audience == "children" and response.role is None
        values = db.session.execute(select(Answer.value)).scalars().all()
        assert values == ["happy"] * 7
        comments = db.session.execute(select(Comment.text, Comment.prompt)).all()
        assert [(t, p.value) for t, p in comments] == [("I like the club", "works_well")] * 2
