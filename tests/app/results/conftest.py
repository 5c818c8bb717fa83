"""Fixtures for the results journey: live rounds with synthetic responses inserted in bulk."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

import pytest
from flask import Flask

from app.extensions import db
from app.models import Channel, FeedbackRound, QuestionItem
from app.services.accounts import get_or_create_organisation
from app.services.results import RoundResults, round_results
from app.services.rounds import RoundSettings, create_round
from app.services.synthetic import (
    SyntheticComment,
    answers_from_counts,
    insert_responses,
    items_of,
    make_live,
)

FRAMEWORK = "hmie-children-services"


@pytest.fixture
def live_round(app: Flask) -> Callable[..., uuid.UUID]:
    """Create a live round (questionnaires frozen, no invitations) and return its id.

    `edit(rnd)` may change the draft's questionnaires before it goes live.
    """

    def make(
        org_name: str = "Org A",
        *,
        indicators: Sequence[str] = ("2.2",),
        audiences: Sequence[str] = ("staff", "parents"),
        threshold: int = 5,
        name: str = "Spring feedback",
        opens_on: date = date(2025, 3, 1),
        closes_on: date = date(2025, 3, 31),
        framework: str = FRAMEWORK,
        edit: Callable[[FeedbackRound], Any] | None = None,
        live: bool = True,
        children_bands: Sequence[str] = ("under_12",),  # a legacy one-band round unless told
    ) -> uuid.UUID:
        with app.app_context():
            org = get_or_create_organisation(org_name)
            rnd = create_round(
                org,
                RoundSettings(
                    name=name,
                    framework_id=framework,
                    indicator_ids=list(indicators),
                    audiences=list(audiences),
                    opens_on=opens_on,
                    closes_on=closes_on,
                    children_bands=list(children_bands),
                    threshold=threshold,
                ),
            )
            if edit is not None:
                edit(rnd)
                db.session.flush()
            if live:
                make_live(rnd)
            db.session.commit()
            return rnd.id

    return make


@pytest.fixture
def respond(app: Flask) -> Callable[..., int]:
    """Add responses giving every item of the audience exactly `counts` (or per-item counts)."""

    def add(
        round_id: uuid.UUID,
        audience: str,
        counts: Mapping[str, int] | Callable[[QuestionItem], Mapping[str, int]],
        *,
        channel: Channel = Channel.EMAIL,
        comments: Mapping[int, Sequence[SyntheticComment]] | None = None,
        seed: int = 0,
    ) -> int:
        with app.app_context():
            rnd = db.session.get(FeedbackRound, round_id)
            assert rnd is not None
            items = items_of(rnd, audience)
            per_item = {item.id: counts(item) for item in items} if callable(counts) else counts
            rows = answers_from_counts(items, per_item, rng=random.Random(seed))
            n = insert_responses(rnd, audience, rows, channel=channel, comments=comments)
            db.session.commit()
            return n

    return add


@pytest.fixture
def results_of(app: Flask) -> Callable[[uuid.UUID], RoundResults]:
    def get(round_id: uuid.UUID) -> RoundResults:
        with app.app_context():
            rnd = db.session.get(FeedbackRound, round_id)
            assert rnd is not None
            return round_results(rnd)

    return get


def item_ids(app: Flask, round_id: uuid.UUID, audience: str) -> list[uuid.UUID]:
    with app.app_context():
        rnd = db.session.get(FeedbackRound, round_id)
        assert rnd is not None
        return [item.id for item in items_of(rnd, audience)]
