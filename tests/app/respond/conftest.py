"""Fixtures for the respondent journey: a launched round, invitations, a respondent's browser."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.services import abuse
from app.services.responding import clear_shape_cache
from tests.app.respond.helpers import Browser, Launched, launch_round


@pytest.fixture(autouse=True)
def _fresh_shape_cache() -> Iterator[None]:
    """Tables are emptied after each test; so is the per-process questionnaire cache."""
    clear_shape_cache()
    yield
    clear_shape_cache()


@pytest.fixture
def launched(app: Flask) -> Launched:
    """A live HMIE round: parents (2 sections, free text, role question) and children."""
    return launch_round(app)


@pytest.fixture
def phone(client: FlaskClient) -> Browser:
    return Browser(client)


@pytest.fixture
def patient(monkeypatch: pytest.MonkeyPatch) -> None:
    """Open-link respondents who took their time: every page looks a minute old."""
    real = abuse._now
    monkeypatch.setattr(abuse, "_now", lambda: real() + 60)
