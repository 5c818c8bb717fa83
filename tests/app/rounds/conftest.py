"""Fixtures for the rounds journey: rounds made through the services, launch, snapshots."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from app.extensions import db
from app.models import FeedbackRound, RoundStatus
from app.services.accounts import get_or_create_organisation
from app.services.rounds import create_round, freeze
from tests.app.rounds.helpers import dump, settings


@pytest.fixture
def make_round(app: Flask) -> Callable[..., uuid.UUID]:
    """Create a round for an organisation (made if needed) and return its id."""

    def make(org_name: str = "Org A", **overrides: Any) -> uuid.UUID:
        with app.app_context():
            org = get_or_create_organisation(org_name)
            rnd = create_round(org, settings(**overrides))
            db.session.commit()
            return rnd.id

    return make


@pytest.fixture
def launch(app: Flask) -> Callable[[uuid.UUID], None]:
    """What the invitations journey's launch does to the round, for our refusal tests."""

    def do(round_id: uuid.UUID) -> None:
        with app.app_context():
            rnd = db.session.get(FeedbackRound, round_id)
            assert rnd is not None
            freeze(rnd)
            rnd.status = RoundStatus.LIVE
            db.session.commit()

    return do


@pytest.fixture
def snapshot(app: Flask) -> Callable[[uuid.UUID], dict[str, Any]]:
    return lambda round_id: dump(app, round_id)
