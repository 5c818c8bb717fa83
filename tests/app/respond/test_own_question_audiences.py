"""An own question asked of some audiences only (issue 20), as respondents meet it: on the pages
and the check-your-answers page of those asked, in their offline kits, for one children's age
band and not another; never for anyone else, and a form (online or queued offline) that
answers it for an audience not asked is a 422 with a message of its own, nothing kept."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models import FeedbackRound, QuestionAnswer, RoundStatus, SealedSubmission
from app.services import questions
from app.services.responding import load_survey
from app.services.rounds import freeze
from tests.app.respond.helpers import Browser, invite, launch_round
from tests.app.respond.test_offline_queued import _grant, _queue, _walk
from tests.support import release_all

BANDS = ("under_8", "8_to_12", "13_plus")
PARENTS_ONLY = "Did you get our letter home?"
OLDER_ONLY = "Do you use the homework club?"
EVERYONE = "Did you see our poster?"


@pytest.fixture
def asked(app: Flask) -> dict[str, Any]:
    launched = launch_round(
        app,
        status=RoundStatus.DRAFT,
        audiences=("parents", "children", "staff"),
        children_bands=BANDS,
    )
    with app.app_context():
        rnd = db.session.get(FeedbackRound, launched.round_id)
        assert rnd is not None
        made = [
            questions.add_question(
                rnd, questions.QuestionInput(kind="yes_no", text=text, audiences=who)
            )
            for text, who in (
                (PARENTS_ONLY, ("parents",)),
                (OLDER_ONLY, ("children_13_plus",)),
                (EVERYONE, None),
            )
        ]
        ids = {q.text: str(q.id) for q in made}
        freeze(rnd)
        rnd.status = RoundStatus.LIVE
        db.session.commit()
        qids = {q.audience: q.id for q in rnd.questionnaires}
    return {"round_id": launched.round_id, "ids": ids, "qids": qids}


def _asked_texts(app: Flask, questionnaire_id: uuid.UUID) -> list[str]:
    with app.app_context():
        survey = load_survey(questionnaire_id)
        assert survey is not None
        return [q.spec.text for q in survey.shape.questions]


def test_each_audience_and_age_band_is_asked_only_its_questions(
    app: Flask, asked: dict[str, Any]
) -> None:
    qids = asked["qids"]
    assert _asked_texts(app, qids["parents"]) == [PARENTS_ONLY, EVERYONE]
    assert _asked_texts(app, qids["staff"]) == [EVERYONE]
    assert _asked_texts(app, qids["children_13_plus"]) == [OLDER_ONLY, EVERYONE]
    assert _asked_texts(app, qids["children_under_8"]) == [EVERYONE]
    assert _asked_texts(app, qids["children_8_to_12"]) == [EVERYONE]


def _walk_to_check(phone: Browser) -> str:
    """Every page and the check page, as one text."""
    phone.reach_check("a")
    return "\n".join(phone.pages)


def test_the_pages_check_page_and_offline_kit_of_those_asked(
    app: Flask, asked: dict[str, Any]
) -> None:
    parents = Browser(app.test_client())
    parents.enter(f"/r/{invite(app, asked['round_id'], 'parents')}")
    parents.start()
    kit = parents.client.get(f"/q/{asked['qids']['parents']}/offline/pages").get_json()
    seen = _walk_to_check(parents)
    assert PARENTS_ONLY in seen and EVERYONE in seen and OLDER_ONLY not in seen
    assert PARENTS_ONLY in parents.html  # the check page lists it
    kit_text = " ".join([*kit["pages"].values(), kit["check"]])
    assert PARENTS_ONLY in kit_text and OLDER_ONLY not in kit_text

    staff = Browser(app.test_client())
    staff.enter(f"/r/{invite(app, asked['round_id'], 'staff', 'staff@example.org')}")
    staff.start()
    kit = staff.client.get(f"/q/{asked['qids']['staff']}/offline/pages").get_json()
    seen = _walk_to_check(staff)
    assert EVERYONE in seen and PARENTS_ONLY not in seen and OLDER_ONLY not in seen
    kit_text = " ".join([*kit["pages"].values(), kit["check"]])
    assert EVERYONE in kit_text and PARENTS_ONLY not in kit_text and OLDER_ONLY not in kit_text
    for field in (asked["ids"][PARENTS_ONLY], asked["ids"][OLDER_ONLY]):
        assert field not in seen and field not in kit_text

    # Sent and released, the parent's answers are stored for their questions only.
    parents.send_checked()
    release_all(app)
    with app.app_context():
        answered = set(db.session.execute(select(QuestionAnswer.question_id)).scalars())
    assert {str(a) for a in answered} == {asked["ids"][PARENTS_ONLY], asked["ids"][EVERYONE]}


def _sealed(app: Flask) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(SealedSubmission)).scalar_one()


def test_a_page_answering_a_question_not_asked_of_its_audience_is_a_422(
    app: Flask, asked: dict[str, Any]
) -> None:
    staff = Browser(app.test_client())
    staff.enter(f"/r/{invite(app, asked['round_id'], 'staff', 'staff@example.org')}")
    staff.start()
    for _ in range(50):
        if EVERYONE in staff.html:
            break
        staff.follow(staff.submit_page("next", "a"))
    own_page = staff.form_action()
    smuggled = {f"q-{asked['ids'][PARENTS_ONLY]}": "yes"}
    response = staff.post(own_page, {**staff.answer("a"), **smuggled, "nav": "next"})
    assert response.status_code == 422
    assert "The form answered a question that is not asked of this group." in staff.text
    assert "Nothing was saved." in staff.text
    # The page itself still works, and nothing of the refused form was kept.
    staff.get(own_page)
    staff.complete("a")
    assert _sealed(app) == 1
    release_all(app)
    with app.app_context():
        answered = {
            str(a) for a in db.session.execute(select(QuestionAnswer.question_id)).scalars()
        }
    assert asked["ids"][PARENTS_ONLY] not in answered


def test_a_queued_submission_answering_a_question_not_asked_is_a_422(
    app: Flask, asked: dict[str, Any]
) -> None:
    staff = Browser(app.test_client())
    staff.enter(f"/r/{invite(app, asked['round_id'], 'staff', 'staff@example.org')}")
    staff.start()
    answers = _walk(staff)
    grant, sid = _grant(staff)
    smuggled = {**answers, f"q-{asked['ids'][OLDER_ONLY]}": "yes"}
    refused = _queue(
        app.test_client(),
        asked["qids"]["staff"],
        {"grant": grant, "submission_id": sid, "answers": smuggled},
    )
    assert refused.status_code == 422
    assert refused.get_json()["message"] == (
        "The form answered a question that is not asked of this group."
    )
    assert _sealed(app) == 0
    stored = _queue(
        app.test_client(),
        asked["qids"]["staff"],
        {"grant": grant, "submission_id": sid, "answers": answers},
    )
    assert stored.status_code == 201, stored.get_json()
    assert _sealed(app) == 1
