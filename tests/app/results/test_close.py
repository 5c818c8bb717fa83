"""Closing a round freezes its results: later submissions are refused and nothing changes."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import delete, func, select

from app.extensions import db
from app.models import Channel, FeedbackRound, Questionnaire, Response, RoundStatus
from app.services.responding import Progress, load_survey
from app.services.results import CloseError, close_round, round_results
from app.services.submission import Outcome, submit
from app.services.synthetic import ResponsesRefused, insert_responses, items_of

DURING = date(2025, 3, 15)  # inside the fixture round's dates


def _submit_one(app: Flask, round_id: uuid.UUID, audience: str, code: str) -> Outcome:
    """A whole questionnaire submitted through the respondent journey's own service."""
    with app.app_context():
        questionnaire_id = db.session.execute(
            select(Questionnaire.id).where(
                Questionnaire.round_id == round_id, Questionnaire.audience == audience
            )
        ).scalar_one()
        survey = load_survey(questionnaire_id)
        assert survey is not None
        progress = Progress.new(questionnaire_id)
        progress.answers = {item.position: code for item in survey.shape.items}
        result = submit(
            survey,
            progress,
            channel=Channel.OPEN_LINK,
            token=None,
            secret=app.config["SECRET_KEY"],
            on=DURING,
        )
        db.session.commit()
        return result.outcome


def test_results_are_frozen_at_close(app: Flask, live_round, respond) -> None:
    rid = live_round(indicators=["2.2"], audiences=["staff", "parents"])
    respond(rid, "staff", {"a": 6})
    respond(rid, "parents", {"sa": 4, "d": 2})
    assert _submit_one(app, rid, "parents", "sd") == Outcome.STORED  # sealed, not yet counted
    with app.app_context():
        rnd = db.session.get(FeedbackRound, rid)
        assert round_results(rnd).to_dict()["total_respondents"] == 12
        close_round(rnd)  # releases what waits, however few
        db.session.commit()
        assert rnd.status == RoundStatus.CLOSED and rnd.closed_at is not None
        closed = round_results(rnd).to_dict()
        assert closed["total_respondents"] == 13

    assert _submit_one(app, rid, "parents", "sd") == Outcome.CLOSED
    with app.app_context():
        rnd = db.session.get(FeedbackRound, rid)
        with pytest.raises(ResponsesRefused):
            insert_responses(rnd, "staff", [{items_of(rnd, "staff")[0].id: "d"}])
        db.session.rollback()
        count = db.session.execute(
            select(func.count()).select_from(Response).where(Response.round_id == rid)
        ).scalar_one()
        after = round_results(rnd).to_dict()
    assert count == 13
    assert after["status"] == "closed"
    for key in ("audiences", "indicators", "items", "total_respondents"):
        assert after[key] == closed[key], key


def test_only_a_live_round_can_be_closed(app: Flask, live_round) -> None:
    draft = live_round(live=False)
    live = live_round(name="Live one")
    with app.app_context():
        with pytest.raises(CloseError, match="not been launched"):
            close_round(db.session.get(FeedbackRound, draft))
        rnd = db.session.get(FeedbackRound, live)
        close_round(rnd)
        first = rnd.closed_at.replace(tzinfo=None)  # SQLite reads it back without a zone
        with pytest.raises(CloseError, match="already closed"):
            close_round(rnd)
        assert rnd.closed_at.replace(tzinfo=None) == first
        assert db.session.get(FeedbackRound, draft).status == RoundStatus.DRAFT


def test_closed_results_are_counted_once_and_copied_for_each_caller(
    app: Flask, live_round, respond
) -> None:
    rid = live_round(indicators=["2.2"], audiences=["staff", "parents"])
    respond(rid, "staff", {"a": 6})
    respond(rid, "parents", {"sa": 6})
    with app.app_context():
        rnd = db.session.get(FeedbackRound, rid)
        live = round_results(rnd)
        respond(rid, "staff", {"d": 6}, seed=3)  # live: counted afresh
        db.session.expire_all()
        assert round_results(rnd).audience("staff").respondents == 12
        close_round(rnd)
        db.session.commit()
        first = round_results(rnd)
        first.indicators.clear()  # a careless caller cannot spoil the next one's copy
        # Rows changed behind the app's back after close do not move frozen results.
        db.session.execute(delete(Response).where(Response.round_id == rid))
        db.session.commit()
        again = round_results(db.session.get(FeedbackRound, rid))
    assert again.audience("staff").respondents == 12
    assert again.indicators and again.indicators[0].cells["staff"].favourable == 12
    assert live.audience("staff").respondents == 6


def test_closing_deletes_the_rounds_saved_drafts(app: Flask, live_round) -> None:
    from app.models import SavedDraft

    rid = live_round(indicators=["2.2"], audiences=["parents"])
    other = live_round(indicators=["2.2"], audiences=["parents"])
    with app.app_context():
        db.session.add_all(
            [
                SavedDraft(lookup="a" * 64, round_id=rid, ciphertext=b"sealed"),
                SavedDraft(lookup="b" * 64, round_id=other, ciphertext=b"sealed"),
            ]
        )
        db.session.commit()
        close_round(db.session.get(FeedbackRound, rid))
        db.session.commit()
        left = db.session.execute(select(SavedDraft.round_id)).scalars().all()
    assert left == [other]  # only the closed round's drafts are gone
