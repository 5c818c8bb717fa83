"""Tenancy factories for the rounds journey: objects owned by another organisation."""

from __future__ import annotations

from datetime import date

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import FeedbackRound, Organisation
from app.services.accounts import get_or_create_organisation
from app.services.rounds import RoundSettings, create_round, ordered_items

FRAMEWORK = "hmie-children-services"
NAME = "Their round (rounds factory)"  # other journeys' factories may add rounds of their own


def _round_of(app: Flask, org_name: str) -> FeedbackRound:
    """The organisation's round, created on first use (one per organisation per test)."""
    org = db.session.execute(
        select(Organisation).where(Organisation.name == org_name)
    ).scalar_one_or_none() or get_or_create_organisation(org_name)
    existing = (
        db.session.execute(
            select(FeedbackRound).where(
                FeedbackRound.organisation_id == org.id, FeedbackRound.name == NAME
            )
        )
        .scalars()
        .first()
    )
    if existing is not None:
        return existing
    rnd = create_round(
        org,
        RoundSettings(
            name=NAME,
            framework_id=FRAMEWORK,
            indicator_ids=["2.1", "2.2"],
            audiences=["parents", "staff"],
            opens_on=date(2026, 3, 1),
            closes_on=date(2026, 3, 31),
        ),
    )
    db.session.commit()
    return rnd


def round_id(app: Flask, org_name: str) -> str:
    with app.app_context():
        return str(_round_of(app, org_name).id)


def item_id(app: Flask, org_name: str) -> str:
    with app.app_context():
        rnd = _round_of(app, org_name)
        parents = next(q for q in rnd.questionnaires if q.audience == "parents")
        return str(ordered_items(parents)[0].id)


def question_id(app: Flask, org_name: str) -> str:
    """One of the round's own questions (issue 20)."""
    from app.services import questions

    with app.app_context():
        rnd = _round_of(app, org_name)
        found = questions.questions_of(rnd.id)
        if not found:
            asked = questions.QuestionInput(kind="yes_no", text="Did you get our leaflet?")
            found = [questions.add_question(rnd, asked)]
            db.session.commit()
        return str(found[0].id)


FACTORIES = {
    "round_id": round_id,
    "audience": lambda app, org_name: "parents",
    "item_id": item_id,
    "question_id": question_id,
}
