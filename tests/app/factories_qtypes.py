"""Tenancy factories for the round's own questions (issue 20)."""

from __future__ import annotations

from flask import Flask

from app.extensions import db
from app.services import questions
from tests.app.factories_rounds import _round_of


def question_id(app: Flask, org_name: str) -> str:
    with app.app_context():
        rnd = _round_of(app, org_name)
        found = questions.questions_of(rnd.id)
        if not found:
            found = [
                questions.add_question(
                    rnd, questions.QuestionInput(kind="yes_no", text="Did you get our leaflet?")
                )
            ]
            db.session.commit()
        return str(found[0].id)


FACTORIES = {"question_id": question_id}
