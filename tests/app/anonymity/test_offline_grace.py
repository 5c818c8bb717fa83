"""The differencing attack on answers that arrive in a grace period (issue 18).

An insider reads what a round's respondents answered before and after one late phone sends its
queue, in the days after the close. While the grace period runs the round still takes answers,
so readers see each audience one release earlier: the late answer changes nothing anyone can
read. When the grace period ends, the remainder is released with the held-back batch beside
it, so the final results differ from the last live view by at least k people, never by one.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from flask import Flask
from sqlalchemy import func, select

from app.extensions import db
from app.models import Channel, Response
from app.services import mix
from app.services.offline import issue_grant
from app.services.responding import today
from app.services.tokens import token_hash
from tests.app.respond.helpers import Browser, invite, launch_round, set_round

K = 3


def _readable(app: Flask, round_id: uuid.UUID) -> int:
    """How many responses readers are shown now (what every page, export and API counts)."""
    with app.app_context():
        shown = mix.shown(round_id)
        return int(
            db.session.execute(
                select(func.count())
                .select_from(Response)
                .where(Response.round_id == round_id, shown.where(Response.release_batch))
            ).scalar_one()
        )


def _walk(phone: Browser) -> dict[str, str]:
    answers: dict[str, str] = {}
    while True:
        page = phone.answer("a")
        answers.update({k: v for k, v in page.items() if k.startswith(("a-", "ft-", "role"))})
        if "/send" in phone.form_action():
            return {k: v for k, v in answers.items() if v}
        phone.follow(phone.submit_page("next", "a"))


def test_a_late_queued_answer_cannot_be_differenced(app: Flask) -> None:
    launched = launch_round(app, audiences=("parents",))
    set_round(app, launched.round_id, threshold=K, grace_days=3)
    qid = launched.questionnaires["parents"]
    for _ in range(K):  # k people answer in time: one batch of k
        phone = Browser(app.test_client())
        phone.enter(f"/r/{invite(app, launched.round_id)}")
        phone.start()
        assert phone.complete("a").status_code == 303
    with app.app_context():
        assert mix.release_waiting() == K

    # A phone loaded its pages before the close, then lost its signal.
    late = Browser(app.test_client())
    token = invite(app, launched.round_id)
    late.enter(f"/r/{token}")
    late.start()
    answers = _walk(late)
    submission_id = uuid.uuid4()
    set_round(app, launched.round_id, closes_on=today() - timedelta(days=1))  # now in grace
    with app.test_request_context():
        grant = issue_grant(
            questionnaire_id=qid,
            round_id=launched.round_id,
            submission_id=submission_id,
            channel=Channel.EMAIL,
            on=today() - timedelta(days=1),  # the last day it was online: before the close
            invitation_hash=token_hash(token),
        )

    before = _readable(app, launched.round_id)
    assert before == 0  # live (in grace): the only batch is held back
    sent = app.test_client().post(
        f"/q/{qid}/queued",
        json={"grant": grant, "submission_id": submission_id.hex, "answers": answers},
    )
    assert sent.status_code == 201, sent.get_json()
    with app.app_context():
        assert mix.release_waiting() == 0  # 1 < k and the round still takes answers
        assert not mix.is_final(launched.round_id)
    assert _readable(app, launched.round_id) == before  # the late answer changed nothing

    set_round(app, launched.round_id, closes_on=today() - timedelta(days=4))  # grace over
    with app.app_context():
        assert mix.release_waiting() == 1
        assert mix.is_final(launched.round_id)
    final = _readable(app, launched.round_id)
    assert final == K + 1
    assert final - before >= K  # the last live view and the final results: >= k apart
