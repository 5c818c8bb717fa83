"""Answering the round's own questions (issue 20) without JavaScript: radios, checkboxes, a
number box and text boxes on their own page; bad answers are a 422 with a specific message and
nothing kept; sent answers travel sealed and are released with the mix."""

from __future__ import annotations

import html
import uuid
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models import FeedbackRound, QuestionAnswer, QuestionText, RoundStatus, SealedSubmission
from app.services import questions
from app.services.rounds import freeze
from tests.app.respond.helpers import Browser, invite, launch_round
from tests.support import release_all

SPECS = (
    questions.QuestionInput(kind="yes_no", text="Did you get our leaflet?"),
    questions.QuestionInput(
        kind="one_choice",
        text="How did you hear about this survey?",
        options="Email\nPoster",
        other=True,
    ),
    questions.QuestionInput(
        kind="several_choices", text="Which services do you use?", options="Library\nPool\nPark"
    ),
    questions.QuestionInput(
        kind="number",
        text="How many times did you visit?",
        minimum="0",
        maximum="30",
        bins="0-4, 5-9, 10-30",
    ),
    questions.QuestionInput(kind="free_text", text="What one thing would you change?"),
)


def launch_with_questions(app: Flask, **options: Any) -> tuple[uuid.UUID, list[str]]:
    launched = launch_round(app, status=RoundStatus.DRAFT, **options)
    with app.app_context():
        rnd = db.session.get(FeedbackRound, launched.round_id)
        assert rnd is not None
        ids = [str(questions.add_question(rnd, spec).id) for spec in SPECS]
        freeze(rnd)
        rnd.status = RoundStatus.LIVE
        db.session.commit()
    return launched.round_id, ids


def to_own_page(phone: Browser) -> None:
    for _ in range(50):
        if "Did you get our leaflet?" in phone.html:
            return
        response = phone.submit_page("next", "a")
        assert response.status_code == 303, response.status_code
        phone.follow(response)
    raise AssertionError("never reached the round's own questions")


def good(ids: list[str]) -> dict[str, Any]:
    yes_no, one, several, number, text = ids
    return {
        f"q-{yes_no}": "yes",
        f"q-{one}": "other",
        f"q-{one}-text": "A neighbour told me",
        f"q-{several}": ["o1", "o3"],
        f"q-{number}": "12",
        f"q-{text}-text": "Longer opening hours",
    }


def sealed_count(app: Flask) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(SealedSubmission)).scalar_one()


def test_every_type_renders_as_a_plain_form(app: Flask, phone: Browser) -> None:
    round_id, ids = launch_with_questions(app)
    phone.enter(f"/r/{invite(app, round_id)}")
    phone.start()
    to_own_page(phone)
    page = phone.html
    yes_no, one, _several, number, text = ids
    assert "A few more questions" in page
    for value in ("yes", "no", "dk"):
        assert f'type="radio" id="q-{yes_no}{"" if value == "yes" else "-" + value}"' in page
    assert f'name="q-{one}" value="other"' in page and f'name="q-{one}-text"' in page
    assert html.unescape(page).count('type="checkbox"') == 3
    assert f'inputmode="numeric" id="q-{number}"' in page
    assert f'<textarea id="q-{text}-text"' in page
    assert "A whole number from 0 to 30." in page


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda ids: {f"q-{ids[0]}": "maybe"}, "Select one of the answers shown."),
        (lambda ids: {f"q-{ids[1]}": ["o1", "o2"], f"q-{ids[1]}-text": ""}, "Select only one"),
        (lambda ids: {f"q-{ids[1]}": "o9", f"q-{ids[1]}-text": ""}, "Select one of the answers"),
        (lambda ids: {f"q-{ids[1]}-text": ""}, "Say what “Other” is"),
        (lambda ids: {f"q-{ids[3]}": "lots"}, "Enter a whole number, like 0."),
        (lambda ids: {f"q-{ids[3]}": "31"}, "Enter a number between 0 and 30."),
        (lambda ids: {f"q-{ids[2]}": ["o1", "o7"]}, "Select one of the answers shown."),
    ],
)
def test_bad_answers_are_a_422_with_a_specific_message_and_nothing_kept(
    app: Flask, phone: Browser, change: Any, message: str
) -> None:
    round_id, ids = launch_with_questions(app)
    phone.enter(f"/r/{invite(app, round_id)}")
    phone.start()
    to_own_page(phone)
    own_page = phone.form_action()
    response = phone.post(own_page, {**good(ids), **change(ids), "nav": "next"})
    assert response.status_code == 422
    assert message in phone.text
    assert 'class="es"' in phone.html and 'href="#q-' in phone.html
    # Nothing stored, and the page cannot be left with the mistake in it.
    response = phone.post(own_page, {**good(ids), **change(ids), "nav": "next"})
    assert response.status_code == 422
    assert sealed_count(app) == 0


def test_a_form_naming_a_question_of_another_page_is_refused(app: Flask, phone: Browser) -> None:
    round_id, ids = launch_with_questions(app)
    phone.enter(f"/r/{invite(app, round_id)}")
    phone.start()
    response = phone.post(phone.form_action(), {**phone.answer("a"), f"q-{ids[0]}": "yes"})
    assert response.status_code == 400
    assert sealed_count(app) == 0


def test_answers_are_sealed_then_released_with_words_as_comments(
    app: Flask, phone: Browser
) -> None:
    round_id, ids = launch_with_questions(app)
    phone.enter(f"/r/{invite(app, round_id)}")
    phone.start()
    to_own_page(phone)
    response = phone.post(phone.form_action(), {**good(ids), "nav": "next"})
    assert response.status_code == 303, phone.text[:2000]
    phone.follow(response)
    # Back keeps every answer on the page, checkboxes and words included.
    response = phone.post(phone.form_action(), {**phone.answer("a"), "nav": "back"})
    phone.follow(response)
    assert 'value="o3" checked' in phone.html and "Longer opening hours" in phone.html
    assert 'value="12"' in phone.html and "A neighbour told me" in phone.html
    response = phone.post(phone.form_action(), {**good(ids), "nav": "next"})
    phone.follow(response)
    phone.complete("a")
    assert "Thank you" in phone.text
    assert sealed_count(app) == 1
    with app.app_context():
        assert (
            db.session.execute(select(func.count()).select_from(QuestionAnswer)).scalar_one() == 0
        )
    release_all(app)
    with app.app_context():
        chosen = db.session.execute(select(QuestionAnswer.question_id, QuestionAnswer.value)).all()
        words = db.session.execute(select(QuestionText.question_id, QuestionText.text)).all()
    yes_no, one, several, number, text = (uuid.UUID(i) for i in ids)
    assert sorted((str(q), v) for q, v in chosen) == sorted(
        [
            (str(yes_no), "yes"),
            (str(one), "other"),
            (str(several), "o1"),
            (str(several), "o3"),
            (str(number), "12"),
        ]
    )
    assert sorted((str(q), t) for q, t in words) == sorted(
        [(str(one), "A neighbour told me"), (str(text), "Longer opening hours")]
    )


def test_every_question_may_be_left_blank(app: Flask, phone: Browser) -> None:
    round_id, _ids = launch_with_questions(app)
    phone.enter(f"/r/{invite(app, round_id)}")
    phone.start()
    to_own_page(phone)
    blank = {k: v for k, v in phone.answer().items() if not k.startswith("q-")}
    response = phone.post(phone.form_action(), {**blank, "nav": "next"})
    assert response.status_code == 303
    phone.follow(response)
    phone.complete("a")
    assert "Thank you" in phone.text
    release_all(app)
    with app.app_context():
        assert (
            db.session.execute(select(func.count()).select_from(QuestionAnswer)).scalar_one() == 0
        )


def test_one_question_per_page_for_children(app: Flask, phone: Browser) -> None:
    round_id, _ids = launch_with_questions(app)
    phone.enter(f"/r/{invite(app, round_id, 'children')}")
    phone.start()
    to_own_page(phone)
    assert '<h1 tabindex="-1">Did you get our leaflet?</h1>' in phone.html
    assert "Which services do you use?" not in phone.html


def test_answers_queued_offline_are_read_as_the_form_reads_them(app: Flask) -> None:
    """offline.js and kiosk.js send several choices as one comma-separated value."""
    from app.services.offline.queued import Incomplete, progress_from
    from app.services.responding import load_survey

    round_id, ids = launch_with_questions(app)
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        parents = next(q for q in rnd.questionnaires if q.audience == "parents")
        survey = load_survey(parents.id)
        assert survey is not None
        answers = {item.field: "a" for item in survey.shape.items}
        answers["role"] = survey.shape.role.options[0].code if survey.shape.role else ""
        answers.update({f"q-{ids[2]}": "o3,o1", f"q-{ids[3]}": "7", f"q-{ids[4]}-text": "Hi"})
        progress = progress_from(survey, uuid.uuid4(), answers)
        assert progress.extras == {2: (("o1", "o3"), ""), 3: (("7",), ""), 4: ((), "Hi")}
        with pytest.raises(Incomplete, match="between 0 and 30"):
            progress_from(survey, uuid.uuid4(), {**answers, f"q-{ids[3]}": "99"})


def test_own_questions_are_translated_through_the_rounds_translations(
    app: Flask, phone: Browser
) -> None:
    from app.invitations.common import audience_labels
    from app.services import translations

    launched = launch_round(app, status=RoundStatus.DRAFT)
    with app.app_context():
        rnd = db.session.get(FeedbackRound, launched.round_id)
        assert rnd is not None
        rnd.languages = ["en", "cy"]
        questions.add_question(rnd, SPECS[1])  # one choice, with "Other"
        labels = audience_labels(rnd)
        own = [p for p in translations.parts(rnd, labels) if p.kind == translations.OWN]
        assert [p.english for p in own] == [
            "How did you hear about this survey?",
            "Email",
            "Poster",
        ]
        missing = translations.missing(rnd, labels)["cy"]
        assert {p.key for p in own} <= {p.key for p in missing}
        every = translations.parts(rnd, labels)
        translations.store(
            rnd, {(p.audience, p.kind, p.key, "cy"): f"CY {p.english}" for p in every}
        )
        assert translations.missing(rnd, labels)["cy"] == []
        freeze(rnd)
        rnd.status = RoundStatus.LIVE
        db.session.commit()
    phone.enter(f"/r/{invite(app, launched.round_id)}?lang=cy")
    phone.start()
    for _ in range(50):
        if "CY How did you hear about this survey?" in phone.text:
            break
        response = phone.submit_page("next", "a")
        assert response.status_code == 303
        phone.follow(response)
    else:
        raise AssertionError("never reached the round's own questions in Welsh")
    assert "CY Email" in phone.text and "CY Poster" in phone.text
    assert "Arall, dywedwch" in phone.text  # the fixed words from the Welsh catalog


def test_more_words_than_the_device_can_keep_are_refused_plainly(
    app: Flask, phone: Browser
) -> None:
    """Answers so far live in a cookie of bounded size: long words in several own questions
    are refused with the page's own message, and none of them is kept."""
    launched = launch_round(app, status=RoundStatus.DRAFT)
    with app.app_context():
        rnd = db.session.get(FeedbackRound, launched.round_id)
        assert rnd is not None
        ids = [
            str(
                questions.add_question(
                    rnd, questions.QuestionInput(kind="free_text", text=f"Thought {n}?")
                ).id
            )
            for n in range(5)
        ]
        freeze(rnd)
        rnd.status = RoundStatus.LIVE
        db.session.commit()
    phone.enter(f"/r/{invite(app, launched.round_id)}")
    phone.start()
    for _ in range(50):
        if "Thought 0?" in phone.html:
            break
        response = phone.submit_page("next", "a")
        phone.follow(response)
    own_page = phone.form_action()
    import random
    import string

    rng = random.Random(20)  # words that do not compress: the cookie is compressed
    long_words = {
        f"q-{i}-text": "".join(rng.choice(string.ascii_letters) for _ in range(950)) for i in ids
    }
    response = phone.post(own_page, {**long_words, "nav": "next"})
    assert response.status_code == 422
    assert "We cannot keep this much writing on your device" in phone.text
    phone.get(own_page)
    assert not any(words[:40] in phone.html for words in long_words.values())
