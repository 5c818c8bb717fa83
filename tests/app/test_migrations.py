"""Alembic owns the schema: one head, upgrades from empty and from databases holding data, and
no drift from the models."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url

from app import create_app
from app.cli.demo import DEMO_EMAIL
from app.extensions import db
from tests.app import conftest as app_tests
from tests.app.migration_snapshot import PASSWORD as PASSWORD_OF_SNAPSHOT
from tests.app.migration_snapshot import (
    load,
    primary_keys,
    reflect,
    restore,
    snapshot_keys,
    snapshot_paths,
    user_tables,
)
from tests.support import login


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


# -- upgrading databases that hold data ----------------------------------------------------------
#
# Every revision from BASELINE on has a snapshot of real rows (tests/app/migration_snapshot.py).
# Each is loaded into a database built at its revision and upgraded to the head with
# `flask db upgrade`: no row may be lost, and the app must read every one.

BASELINE = "0009"  # the first revision deployed with data to keep
PG_SCHEMA = "chorus_migrations"  # on PostgreSQL: a schema of its own, beside the suite's


def _revisions_since_baseline(app: Flask) -> list[str]:
    script = _script(app)
    chain = [r.revision for r in script.walk_revisions("base", "heads")]  # head first
    return list(reversed(chain[: chain.index(BASELINE) + 1]))


def test_every_revision_since_the_baseline_has_a_snapshot(app: Flask) -> None:
    missing = [r for r in _revisions_since_baseline(app) if r not in snapshot_paths()]
    assert not missing, (
        f"no snapshot of real rows for revision(s) {missing}: make one while the code matches "
        "the revision, with `.venv/bin/python -m tests.app.migration_snapshot`"
    )


@pytest.fixture
def scratch_url(tmp_path: Path) -> Iterator[str]:
    """An empty database apart from the suite's: a SQLite file, or a PostgreSQL schema."""
    if not app_tests.ON_POSTGRES:
        yield f"sqlite:///{tmp_path / 'deployed.db'}"
        return
    base = make_url(app_tests._postgres_url()).set(drivername="postgresql+psycopg")
    engine = create_engine(base)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{PG_SCHEMA}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{PG_SCHEMA}"'))
    url = base.update_query_dict({"options": f"-csearch_path={PG_SCHEMA}"})
    yield url.render_as_string(hide_password=False)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{PG_SCHEMA}" CASCADE'))
    engine.dispose()


@pytest.mark.parametrize("revision", sorted(snapshot_paths()))
def test_a_database_with_data_upgrades_to_the_head_and_keeps_every_row(
    revision: str, scratch_url: str, tmp_path: Path
) -> None:
    snapshot = load(snapshot_paths()[revision])
    deployed = create_app(
        {
            **app_tests.test_config(scratch_url),
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "LOGIN_RATE_LIMIT": "1000 per minute",
        }
    )
    with deployed.app_context():
        upgrade(revision=revision)
        with db.engine.begin() as conn:
            restore(conn, snapshot)
        result = deployed.test_cli_runner().invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
        with db.engine.connect() as conn:
            tables = {t.name: t for t in user_tables(reflect(conn))}
            version = conn.execute(text("SELECT version_num FROM alembic_version")).scalars()
            assert list(version) == _script(deployed).get_heads()
            # Every row of the snapshot is still there, under the same key.
            for name, rows in snapshot.items():
                assert name in tables, f"the upgrade dropped table {name} and its rows"
                kept = primary_keys(conn, tables[name])
                assert kept >= snapshot_keys(tables[name], rows), f"rows lost from {name}"
        # The app at the head reads every row of every model, and serves pages from them.
        for mapper in db.Model.registry.mappers:
            model = mapper.class_
            rows = db.session.execute(select(model)).scalars().all()
            assert len(rows) >= len(snapshot.get(model.__tablename__, [])), model.__tablename__
        db.session.remove()
    client = deployed.test_client()
    login(client, DEMO_EMAIL, password=PASSWORD_OF_SNAPSHOT)
    for path in ("/", "/rounds/", "/results/", "/assessments/", "/frameworks/"):
        page = client.get(path)
        assert page.status_code == 200, path
    assert "Snapshot round, live" in client.get("/rounds/").get_data(as_text=True)
    with deployed.app_context():
        db.engine.dispose()
