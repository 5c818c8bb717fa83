"""Closed rounds with own questions bound to indicators (issue 20), answered through the mix:
for the assessment import and the round comparison."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import FeedbackRound, QuestionText
from app.services import questions
from app.services.accounts import get_or_create_organisation
from app.services.results import close_round, hide_own_text
from app.services.rounds import RoundSettings, create_round
from app.services.synthetic import make_live
from tests.app.results.own_helpers import question_ids, seal

HMIE = "hmie-children-services"

# (answer of one person per question, how many people): question order as SPECS below.
Answers = Mapping[str, Sequence[tuple[Sequence[Any], int]]]


def specs(
    indicator: str = "2.2", *, yes_no_text: str = "Did you get our leaflet?"
) -> list[questions.QuestionInput]:
    return [
        questions.QuestionInput(kind="yes_no", text=yes_no_text, indicator_id=indicator),
        questions.QuestionInput(
            kind="one_choice",
            text="How did you hear about this survey?",
            options="Email\nPoster",
            other=True,
            indicator_id=indicator,
        ),
        questions.QuestionInput(
            kind="free_text", text="What one thing would you change?", indicator_id=indicator
        ),
        questions.QuestionInput(
            kind="several_choices", text="Which services do you use?", options="Library\nPool"
        ),
    ]


def own_round(
    app: Flask,
    answers: Answers,
    *,
    name: str = "Spring listening",
    audiences: Sequence[str] = ("staff", "parents", "partners"),
    indicators: Sequence[str] = ("2.1", "2.2"),
    question_specs: Sequence[questions.QuestionInput] | None = None,
    closes_on: date | None = None,
    children_bands: Sequence[str] = ("under_12",),
    close: bool = True,
    org_name: str = "Org A",
) -> dict[str, Any]:
    """A round whose people answered only its own questions. `answers` maps an audience to
    (per question (values, words) in order, how many people gave exactly that), e.g.
    {"staff": [([(["yes"], ""), (["o1"], ""), ([], "Idea")], 15)]}."""
    closes_on = closes_on or date.today() - timedelta(days=1)
    with app.app_context():
        org = get_or_create_organisation(org_name)
        rnd = create_round(
            org,
            RoundSettings(
                name=name,
                framework_id=HMIE,
                indicator_ids=list(indicators),
                audiences=list(audiences),
                opens_on=closes_on - timedelta(days=20),
                closes_on=closes_on,
                threshold=5,
                children_bands=list(children_bands),
            ),
        )
        for spec in question_specs if question_specs is not None else specs():
            questions.add_question(rnd, spec)
        make_live(rnd)
        db.session.commit()
        round_id = rnd.id
    ids = question_ids(app, round_id)
    for audience, groups in answers.items():
        sent = []
        for given, people in groups:
            one = [
                (qid, list(values), words)
                for qid, (values, words) in zip(ids, given, strict=False)
                if values or words
            ]
            sent += [one] * people
        seal(app, round_id, audience, sent)
    if close:
        with app.app_context():
            rnd = db.session.get(FeedbackRound, round_id)
            assert rnd is not None
            close_round(rnd)
            db.session.commit()
    return {"id": round_id, "ids": ids}


def hide_words(app: Flask, round_id: uuid.UUID, text: str) -> None:
    """A coordinator hides one answer's words (the first with exactly `text`)."""
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        text_id = (
            db.session.execute(
                select(QuestionText.id).where(
                    QuestionText.round_id == round_id, QuestionText.text == text
                )
            )
            .scalars()
            .first()
        )
        assert text_id is not None
        assert hide_own_text(rnd, text_id, hidden=True)
        db.session.commit()
