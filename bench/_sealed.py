"""Sealed submissions put straight into the inbox, as many submits would leave them.

Shared by bench/release.py and the fault tests: the answers go to real question items of the
round (the answer table's foreign key), each submission with a comment "#<n>" so a test can
tell every submission apart after the release.
"""

from __future__ import annotations

import random
import uuid

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models import Channel, QuestionItem, Questionnaire
from app.services import mix

CHUNK = 2_000


def item_ids(app: Flask, round_id: uuid.UUID, answers: int | None = None) -> list[str]:
    """Up to `answers` item ids of the round (any audience): answers need real items."""
    with app.app_context():
        ids = [
            str(i)
            for i in db.session.execute(
                select(QuestionItem.id)
                .join(Questionnaire, QuestionItem.questionnaire_id == Questionnaire.id)
                .where(Questionnaire.round_id == round_id)
                .order_by(Questionnaire.audience, QuestionItem.position)
            ).scalars()
        ]
    return ids[:answers] if answers else ids


def seal_submissions(
    app: Flask,
    round_id: uuid.UUID,
    audience: str,
    count: int,
    items: list[str],
    *,
    section_id: str = "1",
    seed: int = 14,
) -> None:
    """`count` sealed submissions of `audience`, answering every item in `items`."""
    rng = random.Random(seed)
    codes = ("sa", "a", "d", "sd", "dk")
    with app.app_context():
        for start in range(0, count, CHUNK):
            batch = [
                mix.Sealed(
                    channel=Channel.OPEN_LINK,
                    role=None,
                    answers=[(item, rng.choice(codes)) for item in items],
                    comments=[(section_id, "works_well", f"#{n}")],
                )
                for n in range(start, min(count, start + CHUNK))
            ]
            mix.put(round_id, audience, batch)
            db.session.commit()
        db.session.remove()
