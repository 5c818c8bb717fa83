"""Answering offline (issue 18) as a round's own audience (issue 22): the page carries its grant,
the queued answers are stored once in the sealed inbox and released as that audience."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import Channel, FeedbackRound, Response, RoundStatus
from app.services import round_audiences
from app.services.rounds import freeze
from tests.app.respond.helpers import Browser, invite, launch_round
from tests.app.respond.test_offline_queued import _grant, _queue, _walk
from tests.support import release_all

ELECTED = "c-elected-members"


def test_an_elected_member_answers_offline(app: Flask) -> None:
    draft = launch_round(app, status=RoundStatus.DRAFT)
    with app.app_context():
        rnd = db.session.get(FeedbackRound, draft.round_id)
        assert rnd is not None
        round_audiences.add_audience(
            rnd,
            name="Elected members",
            plural="",
            scale="agree4",
            email=True,
            open_link=True,
            resembles="parents",
        )
        freeze(rnd)
        rnd.status = RoundStatus.LIVE
        db.session.commit()
        (questionnaire_id,) = [q.id for q in rnd.questionnaires if q.audience == ELECTED]
    token = invite(app, draft.round_id, ELECTED)
    phone = Browser(app.test_client())
    phone.enter(f"/r/{token}")
    assert "Elected members survey" in phone.text
    phone.start()
    answers = _walk(phone)
    grant, sid = _grant(phone)
    queued = _queue(
        app.test_client(),
        questionnaire_id,
        {"grant": grant, "submission_id": sid, "answers": answers},
    )
    assert queued.status_code == 201, queued.get_json()
    release_all(app)
    with app.app_context():
        rows = db.session.execute(select(Response.audience, Response.channel)).all()
    assert rows == [(ELECTED, Channel.EMAIL)]
