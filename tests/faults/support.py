"""Shared by the fault tests: the databases they break, and the app as they serve it."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from app import create_app
from app.extensions import db
from app.services.responding import clear_shape_cache
from bench._servers import child_env
from tests.services import require

SECRET = "faults-secret-key-not-for-production"
PG_SCHEMA = "chorus_faults"
APP_CONNECTIONS = "chorus-faults-app"  # application_name of the app processes' connections
APP_SPEC = "wsgi:app"  # as in production (README)


@dataclass
class Database:
    kind: str  # "sqlite" or "postgresql"
    url: str  # what DATABASE_URL is set to for the app's processes
    app: Flask  # an in-process app on the same database, to seed and inspect
    _engine: Engine | None = field(default=None, repr=False)

    def engine(self) -> Engine:
        """A plain engine for the test's own queries (never the app's pool)."""
        if self._engine is None:
            url = make_url(self.url)
            if self.kind == "postgresql":
                url = url.set(drivername="postgresql+psycopg")
            self._engine = create_engine(url)
        return self._engine

    def scalar(self, sql: str, **params: Any) -> Any:
        with self.engine().connect() as conn:
            return conn.execute(text(sql), params).scalar_one()

    def rows(self, sql: str, **params: Any) -> list[Any]:
        with self.engine().connect() as conn:
            return list(conn.execute(text(sql), params).all())

    def execute(self, sql: str, **params: Any) -> None:
        with self.engine().begin() as conn:
            conn.execute(text(sql), params)

    def env(self, **extra: str) -> dict[str, str]:
        """The environment of an app or worker process on this database."""
        url = self.url
        if self.kind == "postgresql":  # named, so a test can cut exactly these connections
            url = make_url(url).update_query_dict({"application_name": APP_CONNECTIONS})
            url = url.render_as_string(hide_password=False)
        return child_env(
            {
                "DATABASE_URL": url,
                "SECRET_KEY": SECRET,
                "MAIL_SERVER": "",
                "MAIL_WORKER_IN_PROCESS": "0",
                # The open-link protections stay on, with the wait and the per-address limits
                # out of the way of many simulated phones on 127.0.0.1.
                "RESPOND_PAGE_RATE_LIMIT": "100000 per minute",
                "RESPOND_SEND_RATE_LIMIT": "100000 per minute",
                "RESPOND_MIN_SECONDS_PER_QUESTION": "0",
                **extra,
            }
        )


def postgres_base_url() -> str | None:
    return os.environ.get("TEST_DATABASE_URL") or None


def _postgres_url(base: str) -> str:
    """TEST_DATABASE_URL with our own schema first (and only) on the search path."""
    url = make_url(base).update_query_dict({"options": f"-csearch_path={PG_SCHEMA}"})
    return url.render_as_string(hide_password=False)


def _reset_schema(base: str) -> None:
    engine = create_engine(make_url(base).set(drivername="postgresql+psycopg"))
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{PG_SCHEMA}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{PG_SCHEMA}"'))
    engine.dispose()


def _drop_schema(base: str) -> None:
    engine = create_engine(make_url(base).set(drivername="postgresql+psycopg"))
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{PG_SCHEMA}" CASCADE'))
    engine.dispose()


def open_database(kind: str, tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty database of `kind`, and the in-process app on it; dropped after."""
    logging.getLogger("alembic").setLevel(logging.WARNING)
    base = postgres_base_url()
    if kind == "postgresql":
        require(
            "PostgreSQL",
            base is not None,
            "the PostgreSQL fault cases need TEST_DATABASE_URL (a database they may use)",
        )
        assert base is not None
        _reset_schema(base)
        url = _postgres_url(base)
    else:
        url = f"sqlite:///{tmp_path / 'chorus-faults.db'}"
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": SECRET,
            "MAIL_SERVER": "",
            "MAIL_WORKER_IN_PROCESS": False,
            "INSTANCE_PATH": str(tmp_path / "instance"),
        }
    )
    with app.app_context():
        upgrade()
    clear_shape_cache()
    database = Database(kind, url, app)
    yield database
    if database._engine is not None:
        database._engine.dispose()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    clear_shape_cache()
    if kind == "postgresql" and base is not None:
        _drop_schema(base)
