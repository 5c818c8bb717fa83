"""Submitting through the journey's own service, fast enough for hundreds of submissions."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from flask import Flask

from app.extensions import db
from app.models import Channel
from app.services.responding import Progress, load_survey, today
from app.services.submission import Outcome, submit
from tests.app.respond.helpers import Launched, launch_round


@dataclass
class Round:
    launched: Launched

    @property
    def id(self) -> uuid.UUID:
        return self.launched.round_id


def launch(app: Flask, audiences: tuple[str, ...] = ("parents", "staff")) -> Round:
    return Round(launch_round(app, audiences=audiences, role_question=False))


def send(
    app: Flask,
    rnd: Round,
    audience: str = "parents",
    *,
    code: str = "a",
    comment: str | None = None,
    token: str | None = None,
    progress: Progress | None = None,
) -> tuple[Outcome, Progress]:
    """One whole questionnaire sent (by email with `token`, else by open link); commits."""
    with app.app_context():
        questionnaire_id = rnd.launched.questionnaires[audience]
        survey = load_survey(questionnaire_id)
        assert survey is not None
        if progress is None:
            progress = Progress.new(questionnaire_id)
            progress.answers = {item.position: code for item in survey.shape.items}
            if comment is not None:
                box = next(iter(survey.shape.boxes.values()))
                progress.texts = {box.key: comment}
        result = submit(
            survey,
            progress,
            channel=Channel.EMAIL if token else Channel.OPEN_LINK,
            token=token,
            secret=app.config["SECRET_KEY"],
            on=today(),
        )
        if result.thanked:
            db.session.commit()
        else:
            db.session.rollback()
        return result.outcome, progress
