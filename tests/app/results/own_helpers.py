"""A round with every kind of own question (issue 20), answered through the mix."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from flask import Flask

from app.extensions import db
from app.models import Channel, FeedbackRound
from app.services import mix, questions
from app.services.accounts import get_or_create_organisation
from app.services.rounds import RoundSettings, create_round
from app.services.synthetic import make_live
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
        indicator_id="2.2",
    ),
    questions.QuestionInput(kind="free_text", text="What one thing would you change?"),
)


def with_questions(rnd: FeedbackRound) -> None:
    for spec in SPECS:
        questions.add_question(rnd, spec)


def question_ids(app: Flask, round_id: uuid.UUID) -> list[str]:
    with app.app_context():
        return [str(q.id) for q in questions.questions_of(round_id)]


def seal(app: Flask, round_id: uuid.UUID, audience: str, answers: Sequence[Sequence[Any]]) -> None:
    """One sealed submission per entry: (question id, values, words) triples, as sent."""
    with app.app_context():
        mix.put(
            round_id,
            audience,
            [mix.Sealed(Channel.OPEN_LINK, None, [], [], questions=list(a)) for a in answers],
        )
        db.session.commit()
    release_all(app)


def answered_round(app: Flask) -> dict[str, Any]:
    """A finished round (closed by its dates): 20 staff and 6 parents answered."""
    with app.app_context():
        org = get_or_create_organisation("Org A")
        rnd = create_round(
            org,
            RoundSettings(
                name="Spring feedback",
                framework_id="hmie-children-services",
                indicator_ids=["2.2"],
                audiences=["staff", "parents"],
                opens_on=date(2025, 3, 1),
                closes_on=date(2025, 3, 31),
                threshold=5,
            ),
        )
        with_questions(rnd)
        make_live(rnd)
        db.session.commit()
        round_id = rnd.id
    yes_no, one, several, number, text = question_ids(app, round_id)
    staff = []
    for n in range(20):
        staff.append(
            [
                (yes_no, ["yes" if n < 15 else "no"], ""),
                (
                    one,
                    ["o1"] if n < 10 else ["o2"] if n < 18 else ["other"],
                    "Word of mouth" if n >= 18 else "",
                ),
                (several, ["o1", "o2"] if n < 8 else ["o3"], ""),
                (number, [str(n)], ""),
                (text, [], f"Idea number {n}" if n < 6 else ""),
            ]
        )
    parents = [[(yes_no, ["yes"], ""), (text, [], "Parents' idea")] for _ in range(5)]
    parents.append([(yes_no, ["no"], "")])
    seal(app, round_id, "staff", [[q for q in s if q[1] or q[2]] for s in staff])
    seal(app, round_id, "parents", parents)
    return {"id": round_id, "ids": (yes_no, one, several, number, text)}
