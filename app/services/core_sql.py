"""Statements on a respondent's path sent past the ORM, in the request's own transaction.

The entry and the send run the same few statements for every respondent: built once on the
tables (not the mapped classes) and run on the session's connection, they skip the ORM's work
per statement (its execution events, identity map and bulk-insert planning), about a fifth of
those requests' server CPU (issue 15). They take part in the unit of work as any other
statement: the session's transaction begins with the first and ends with the request.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from sqlalchemy import CursorResult, Executable, Table

from app.extensions import db


def table(model: Any) -> Table:
    """A mapped class's table."""
    return cast(Table, model.__table__)


def execute(
    statement: Executable, params: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None
) -> CursorResult[Any]:
    """Run a Core statement in the session's transaction (beginning it if need be)."""
    return db.session.connection().execute(statement, params)
