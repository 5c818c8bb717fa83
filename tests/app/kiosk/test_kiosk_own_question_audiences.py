"""A shared children's kiosk (issues 18 and 20) holds one offline kit per age band: an own
question asked of one band is in that band's kit only, and a queued kiosk submission answering
it for another band is a 422, nothing stored."""

from __future__ import annotations

import json

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.models import FeedbackRound, RoundStatus, SealedSubmission, User
from app.services import questions
from app.services.rounds import freeze
from tests.app.kiosk.conftest import Event
from tests.app.kiosk.test_kiosk_bands import BANDS, _kiosk, _send
from tests.app.kiosk.test_kiosk_queue import _answers
from tests.app.respond.helpers import add_open_link, launch_round

OLDER_ONLY = "Do you use the homework club?"
EVERYONE = "Did you see our poster?"


def test_each_bands_kit_holds_only_its_questions(
    app: Flask, client: FlaskClient, coordinator: User
) -> None:
    launched = launch_round(
        app, status=RoundStatus.DRAFT, audiences=("children", "parents"), children_bands=BANDS
    )
    with app.app_context():
        rnd = db.session.get(FeedbackRound, launched.round_id)
        assert rnd is not None
        older = questions.add_question(
            rnd,
            questions.QuestionInput(
                kind="yes_no", text=OLDER_ONLY, audiences=("children_13_plus",)
            ),
        )
        older_id = str(older.id)
        questions.add_question(rnd, questions.QuestionInput(kind="yes_no", text=EVERYONE))
        freeze(rnd)
        rnd.status = RoundStatus.LIVE
        db.session.commit()
    code = add_open_link(app, launched.round_id, "children")
    qids = launched.questionnaires
    event = Event(launched, code, qids["children_under_8"])
    tablet = _kiosk(client, app, event, "children")
    kits = {
        band: tablet.client.get(f"/kiosk/offline?want=2&band={band}").get_json() for band in BANDS
    }
    for band, kit in kits.items():
        text = json.dumps(kit["pages"])
        assert EVERYONE in text
        assert (OLDER_ONLY in text) is (band == "13_plus"), band
    young = kits["under_8"]
    answers = _answers(app, Event(launched, "", qids["children_under_8"]))
    smuggled = {**answers, f"q-{older_id}": "yes"}
    assert _send(tablet, young, young["grants"][0], smuggled) == 422
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SealedSubmission)) == 0
    assert _send(tablet, young, young["grants"][0], answers) in (200, 201, 202)
