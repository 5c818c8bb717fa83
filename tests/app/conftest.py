"""App fixtures: one migrated database per run (SQLite, or PostgreSQL), clean rows per test.

`make test` runs the suite on SQLite, then `tests/app` again with CHORUS_TEST_BACKEND=postgresql
against TEST_DATABASE_URL.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db, limiter
from app.models import Organisation, Role, User
from app.services.accounts import create_user, get_or_create_organisation
from tests.support import PASSWORD, login

ON_POSTGRES = os.environ.get("CHORUS_TEST_BACKEND") == "postgresql"


def _postgres_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.exit("CHORUS_TEST_BACKEND=postgresql needs TEST_DATABASE_URL", returncode=2)
    return url


def reset_postgres_schema(url: str) -> None:
    """An empty database for the run: drop and recreate the public schema."""
    engine = create_engine(make_url(url).set(drivername="postgresql+psycopg"))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    if ON_POSTGRES:
        url = _postgres_url()
        reset_postgres_schema(url)
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'chorus-test.db'}"


def test_config(database_url: str, **extra: Any) -> dict[str, Any]:
    return {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "ANONYMITY_THRESHOLD": 5,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # production uses scrypt; this is speed
        **extra,
    }


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    instance = str(tmp_path_factory.mktemp("instance"))
    app = create_app(test_config(database_url, INSTANCE_PATH=instance))
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean(app: Flask) -> Iterator[None]:
    """Every test starts from empty tables and fresh rate limits."""
    yield
    with app.app_context():
        db.session.rollback()
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()
        limiter.reset()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    def make(email: str, org: str = "Org A", role: Role | str = Role.COORDINATOR) -> User:
        with app.app_context():
            user = create_user(email, PASSWORD, org, role)
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
            return user

    return make


@pytest.fixture
def make_org(app: Flask) -> Callable[[str], Organisation]:
    def make(name: str) -> Organisation:
        with app.app_context():
            org = get_or_create_organisation(name)
            db.session.commit()
            db.session.refresh(org)
            db.session.expunge(org)
            return org

    return make


@pytest.fixture
def coordinator(make_user: Callable[..., User], client: FlaskClient) -> User:
    """A signed-in coordinator of Org A."""
    user = make_user("coord@a.example", "Org A", Role.COORDINATOR)
    login(client, user.email)
    return user
