"""Fixtures for the mix: a live round whose questionnaires take comments, and a quick submit."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from app.services.responding import clear_shape_cache
from tests.app.mix.helpers import Round, launch


@pytest.fixture(autouse=True)
def _fresh_shape_cache() -> Iterator[None]:
    clear_shape_cache()
    yield
    clear_shape_cache()


@pytest.fixture
def live(app: Flask) -> Round:
    """A live HMIE round for parents and staff, open today, k = 5."""
    return launch(app)
