"""Engine set-up: SQLite pragmas and a start-up check that names DATABASE_URL."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from app.config import ConfigurationError
from app.extensions import db


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def configure_engine(app: Flask) -> Engine:
    engine = db.engine
    if engine.dialect.name == "sqlite" and not getattr(engine, "_chorus_pragmas", False):
        event.listen(engine, "connect", _sqlite_pragmas)
        engine._chorus_pragmas = True  # type: ignore[attr-defined]  # our own once-only marker
    return engine


def check_connection(app: Flask) -> None:
    """Fail fast with one line if the database cannot be reached."""
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "connection failed"
        raise ConfigurationError(
            f"the database in DATABASE_URL cannot be reached ({reason})."
        ) from None
