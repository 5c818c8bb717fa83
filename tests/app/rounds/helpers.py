"""Helpers for the rounds tests: settings to create rounds with, and a snapshot of a round."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import FeedbackRound, Organisation
from app.services.rounds import RoundSettings, ordered_items

HMIE = "hmie-children-services"


def settings(**overrides: Any) -> RoundSettings:
    values: dict[str, Any] = {
        "name": "Spring feedback",
        "framework_id": HMIE,
        "indicator_ids": ["2.1", "2.2", "3.1"],
        "audiences": ["parents", "children", "staff"],
        "opens_on": date(2027, 3, 1),
        "closes_on": date(2027, 3, 31),
    }
    values.update(overrides)
    return RoundSettings(**values)


def dump(app: Flask, round_id: uuid.UUID) -> dict[str, Any]:
    """Everything a coordinator could change about a round, to assert nothing changed."""
    with app.app_context():
        db.session.expire_all()
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        return {
            "settings": (
                rnd.name,
                rnd.framework_id,
                list(rnd.indicator_ids),
                list(rnd.audiences),
                rnd.opens_on,
                rnd.closes_on,
                rnd.threshold,
                dict(rnd.scope),
                list(rnd.children_bands),
                rnd.free_text,
                rnd.role_question,
                rnd.status,
            ),
            "questionnaires": {
                q.audience: (
                    q.intro,
                    q.version,
                    [dict(s) for s in q.sections],
                    [
                        (
                            i.id,
                            i.position,
                            i.section_id,
                            i.indicator_id,
                            i.theme_id,
                            i.statement,
                            i.scale_id,
                            i.origin,
                            i.bank_statement,
                        )
                        for i in ordered_items(q)
                    ],
                )
                for q in rnd.questionnaires
            },
        }


def round_count(app: Flask) -> int:
    with app.app_context():
        return len(db.session.execute(select(FeedbackRound.id)).all())


def org_id(app: Flask, name: str) -> uuid.UUID:
    with app.app_context():
        return db.session.execute(
            select(Organisation.id).where(Organisation.name == name)
        ).scalar_one()
