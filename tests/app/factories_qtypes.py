"""Tenancy factories for the round's own questions (issue 20): the words of an answer.
`question_id` is the rounds journey's (its routes are on the rounds blueprint)."""

from __future__ import annotations

from flask import Flask

from app.extensions import db
from tests.app.factories_rounds import _round_of, question_id


def text_id(app: Flask, org_name: str) -> str:
    """The words of one released answer to a question of another organisation's round."""
    import uuid

    from app.models import Channel, QuestionText, Response

    with app.app_context():
        rnd = _round_of(app, org_name)
        question = uuid.UUID(question_id(app, org_name))
        response = Response(
            id=uuid.uuid4(), round_id=rnd.id, audience="parents", channel=Channel.OPEN_LINK
        )
        db.session.add(response)
        db.session.flush()
        words = QuestionText(
            round_id=rnd.id, response_id=response.id, question_id=question, text="Theirs"
        )
        db.session.add(words)
        db.session.commit()
        return str(words.id)


FACTORIES = {"text_id": text_id}
