"""Easy-read answers from adults (issue 17) are a scale of their own: they go through the mix
as their own group, honour k, and are reported apart, never pooled with the standard adult
scale, as children's faces are (DESIGN.md sections 5 and 6)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.models import Channel, FeedbackRound, Response
from app.services import mix
from app.services.accounts import get_or_create_organisation
from app.services.mix.release import release_waiting
from app.services.responding import today
from app.services.results import round_results
from app.services.rounds import RoundSettings, create_round
from app.services.synthetic import items_of, make_live
from frameworks.loader import builtin_frameworks
from tests.app.results.helpers import text_of

K = 3
DERWENT = builtin_frameworks()["derwent-interagency"]
# Indicators both staff and service users can judge: the same indicator, two scales.
BOTH = [i.id for i in DERWENT.indicators if i.items.get("service_users") and i.items.get("staff")]


@pytest.fixture
def easy_round(app: Flask) -> uuid.UUID:
    assert BOTH
    with app.app_context():
        rnd = create_round(
            get_or_create_organisation("Org A"),
            RoundSettings(
                name="Easy read",
                framework_id=DERWENT.id,
                indicator_ids=BOTH[:2],
                audiences=["staff", "service_users"],
                opens_on=today() - timedelta(days=1),
                closes_on=today() + timedelta(days=9),
                threshold=K,
                easy_read_audiences=["service_users"],
            ),
        )
        make_live(rnd)
        db.session.commit()
        return rnd.id


def _seal(app: Flask, round_id: uuid.UUID, audience: str, people: int, answer: str) -> None:
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        answers = [(str(i.id), answer) for i in items_of(rnd, audience)]
        mix.put(round_id, audience, [mix.Sealed(Channel.EMAIL, None, answers, [])] * people)
        db.session.commit()


def _released(app: Flask, round_id: uuid.UUID) -> dict[str, int]:
    with app.app_context():
        release_waiting(round_id)
        rows = db.session.execute(
            select(Response.audience, func.count())
            .where(Response.round_id == round_id)
            .group_by(Response.audience)
        ).all()
    return {a: n for a, n in rows}


def _close(app: Flask, round_id: uuid.UUID) -> Any:
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        rnd.opens_on, rnd.closes_on = today() - timedelta(days=9), today() - timedelta(days=1)
        rnd.grace_days = 0  # past its close and its grace period: the remainder is released
        db.session.commit()
        release_waiting(round_id)
        return round_results(rnd)


def test_the_service_users_questionnaire_is_easy_read_with_faces(
    app: Flask, easy_round: uuid.UUID
) -> None:
    with app.app_context():
        rnd = db.session.get(FeedbackRound, easy_round)
        assert rnd is not None
        by = {q.audience: q for q in rnd.questionnaires}
        easy, staff = by["service_users"], by["staff"]
        assert easy.easy_read and easy.one_question_per_page and not staff.easy_read
        assert {i.scale_id for i in easy.items} == {"faces3"}
        assert {i.scale_id for i in staff.items} == {"agree4"}
        assert all(len(i.statement.split()) <= 15 for i in easy.items)


def test_easy_read_goes_through_the_mix_as_its_own_group_and_honours_k(
    app: Flask, easy_round: uuid.UUID
) -> None:
    _seal(app, easy_round, "staff", K, "sa")
    _seal(app, easy_round, "service_users", K - 1, "happy")
    # Staff's k are released; k - 1 easy-read answers wait: they never ride in staff's batch.
    assert _released(app, easy_round) == {"staff": K}
    _seal(app, easy_round, "service_users", 1, "sad")
    assert _released(app, easy_round) == {"staff": K, "service_users": K}


def test_fewer_than_k_easy_read_answers_are_not_shown_even_when_final(
    app: Flask, client: FlaskClient, coordinator: Any, easy_round: uuid.UUID
) -> None:
    _seal(app, easy_round, "staff", K + 1, "a")
    _seal(app, easy_round, "service_users", K - 1, "happy")
    results = _close(app, easy_round)
    assert results.audience("service_users").respondents is None
    for item in results.items:
        if item.audience == "service_users":
            assert item.distribution is None and item.cell.percent is None
    text = text_of(client.get(f"/results/{easy_round}").get_data(as_text=True))
    assert f"Fewer than {K} responses" in text


def test_easy_read_answers_are_reported_apart_never_pooled_with_the_adult_scale(
    app: Flask, easy_round: uuid.UUID
) -> None:
    _seal(app, easy_round, "staff", K, "sd")  # every staff member: strongly disagree
    _seal(app, easy_round, "service_users", K, "happy")  # every service user: the happy face
    results = _close(app, easy_round)
    columns = {c.audience: c.pooled_group for c in results.columns}
    assert columns["service_users"] == "faces" and columns["staff"] != "faces"
    for indicator in BOTH[:2]:
        # Two figures for the indicator, one per scale: nothing mixes 0% with 100%.
        cells = results.indicator(indicator).cells
        assert cells["staff"].percent == 0 and cells["service_users"].percent == 100
        for item in results.items_for(indicator, "service_users"):
            assert item.scale_id == "faces3"
            assert {k for k, v in (item.distribution or {}).items() if v} == {"happy"}
        for item in results.items_for(indicator, "staff"):
            assert {k for k, v in (item.distribution or {}).items() if v} == {"sd"}
    # A spread is only ever worked out within one scale group: never easy read against staff.
    assert all(
        not {"staff", "service_users"} <= {*d.highest, *d.lowest} for d in results.disparities
    )
