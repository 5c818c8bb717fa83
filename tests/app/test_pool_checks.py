"""Pooled PostgreSQL connections are checked on their sockets before use (app/database.py):
one the server ended is replaced, with no ping statement sent for each request (issue 15)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, text

from app.database import closed_by_server
from app.extensions import db
from tests.app.conftest import ON_POSTGRES

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL's pooled connections")


def _terminate(pid: int) -> None:
    """End a backend from outside the app's pool, as an administrator or a failover would."""
    outside = create_engine(db.engine.url)
    try:
        with outside.begin() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        outside.dispose()


def _until(check: Any, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return bool(check())


def test_an_idle_connection_is_open_and_one_the_server_ended_is_closed(app: Flask) -> None:
    with app.app_context(), db.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        conn.rollback()
        assert not closed_by_server(raw)  # idle, nothing to read: in use as it is
        _terminate(pid)
        assert _until(lambda: closed_by_server(raw)), "the server's goodbye is seen"
        conn.invalidate()


def test_a_closed_connection_counts_as_closed(app: Flask) -> None:
    with app.app_context():
        raw = db.engine.raw_connection()
        try:
            raw.dbapi_connection.close()
            assert closed_by_server(raw.dbapi_connection)
        finally:
            raw.invalidate()


def test_a_request_after_the_server_ended_the_pooled_connection_gets_a_new_one(
    app: Flask,
) -> None:
    """As pool_pre_ping did: the pool hands out a live connection, and the statement runs."""
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is False
    with app.app_context():
        db.engine.dispose()  # one pooled connection, known to be the one checked out next
        with db.engine.connect() as conn:
            pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
            raw = conn.connection.dbapi_connection
        _terminate(pid)
        assert _until(lambda: closed_by_server(raw))
        with db.engine.connect() as conn:
            again = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        assert again != pid
        assert db.engine.pool.checkedout() == 0
