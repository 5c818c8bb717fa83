"""Alembic owns the schema: one head, upgrades from empty, and no drift from the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import inspect

from app import create_app
from app.extensions import db


def _script(app: Flask) -> ScriptDirectory:
    with app.app_context():
        migrate = app.extensions["migrate"]
        return ScriptDirectory.from_config(migrate.migrate.get_config(migrate.directory))


def test_single_head(app: Flask) -> None:
    assert len(_script(app).get_heads()) == 1


def test_models_match_migrations(app: Flask) -> None:
    # The session database was built by `upgrade` from empty (SQLite or PostgreSQL).
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "render_as_batch": True}
        )
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"models and migrations differ: {diff}"


def test_upgrade_on_an_empty_sqlite_file(tmp_path) -> None:
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "k", "DATABASE_URL": f"sqlite:///{tmp_path}/fresh.db"}
    )
    with app.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        db.engine.dispose()
    assert {t.name for t in db.metadata.sorted_tables} <= tables
    assert "alembic_version" in tables


def test_app_never_creates_tables_itself(tmp_path) -> None:
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "k", "DATABASE_URL": f"sqlite:///{tmp_path}/untouched.db"}
    )
    with app.app_context():
        app.test_client().get("/health")
        tables = inspect(db.engine).get_table_names()
        db.engine.dispose()
    assert tables == []
