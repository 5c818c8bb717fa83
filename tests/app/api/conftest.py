"""Fixtures for the API: tokens made by the real service, and a client that sends them."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from app.extensions import db
from app.models import Role
from app.models.base import utcnow
from app.services.accounts import create_user, find_user_by_email, get_or_create_organisation
from app.services.api_tokens import create_token
from tests.app.results.conftest import live_round, respond, results_of  # noqa: F401  (fixtures)

ALL = ("read_results", "manage_rounds")


@pytest.fixture
def make_token(app: Flask) -> Callable[..., str]:
    """The secret of a new token of `org` with `permissions` (expired if `expired`)."""

    def make(org: str = "Org A", permissions: Sequence[str] = ALL, *, expired: bool = False) -> str:
        with app.app_context():
            organisation = get_or_create_organisation(org)
            email = f"api@{organisation.id.hex[:8]}.example"
            user = find_user_by_email(email) or create_user(
                email, "a long enough password", org, Role.COORDINATOR
            )
            when = utcnow() - timedelta(days=31) if expired else None
            made = create_token(organisation.id, user, "Test system", permissions, 30, now=when)
            db.session.commit()
            return made.secret

    return make


class Api:
    """A test client that sends the bearer token and JSON bodies."""

    def __init__(self, client: FlaskClient, secret: str | None) -> None:
        self.client = client
        self.secret = secret

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secret}"} if self.secret else {}

    def get(self, path: str) -> TestResponse:
        return self.client.get("/api/v1" + path, headers=self.headers())

    def send(
        self, method: str, path: str, body: Any = None, raw: str | None = None
    ) -> TestResponse:
        data = raw if raw is not None else (None if body is None else json.dumps(body))
        return self.client.open(
            "/api/v1" + path,
            method=method,
            data=data,
            content_type="application/json" if data is not None else None,
            headers=self.headers(),
        )

    def post(self, path: str, body: Any = None) -> TestResponse:
        return self.send("POST", path, body)

    def patch(self, path: str, body: Any = None) -> TestResponse:
        return self.send("PATCH", path, body)


@pytest.fixture
def api(client: FlaskClient, make_token: Callable[..., str]) -> Api:
    """Org A's token with both permissions."""
    return Api(client, make_token())


@pytest.fixture
def api_for(client: FlaskClient, make_token: Callable[..., str]) -> Callable[..., Api]:
    def make(org: str = "Org A", permissions: Sequence[str] = ALL, **kw: Any) -> Api:
        return Api(client, make_token(org, permissions, **kw))

    return make
