"""Fixtures for the assessment journey: an organisation with a coordinator, three SAT members on
a team, one SAT member who is not, and a viewer."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.models import Role, TeamRole
from tests.app.assessment.helpers import make_assessment, signed_in

FAY = "fay@a.example"  # facilitator
SAM = "sam@a.example"  # scribe
MO = "mo@a.example"  # member
OTTO = "otto@a.example"  # SAT member, not on the team
VIC = "vic@a.example"  # viewer
COORD = "coord@a.example"

TEAM = {FAY: TeamRole.FACILITATOR, SAM: TeamRole.SCRIBE, MO: TeamRole.MEMBER}


@pytest.fixture
def people(make_user: Callable[..., Any]) -> None:
    make_user(COORD, "Org A", Role.COORDINATOR)
    for email in (FAY, SAM, MO, OTTO):
        make_user(email, "Org A", Role.SAT_MEMBER)
    make_user(VIC, "Org A", Role.VIEWER)


@pytest.fixture
def assessment_id(app: Flask, people: None) -> uuid.UUID:
    return make_assessment(app, TEAM)


@pytest.fixture
def as_user(app: Flask, people: None) -> Callable[[str], FlaskClient]:
    """A browser per person, signed in once and reused within the test."""
    clients: dict[str, FlaskClient] = {}

    def get(email: str) -> FlaskClient:
        if email not in clients:
            clients[email] = signed_in(app, email)
        return clients[email]

    return get
