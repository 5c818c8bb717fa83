"""One unit of work per request: a writing view commits once, after it returned, or not at all.

The fault (issue 13): the database connection dies after the view ran. The transaction was still
open, so the rollback at teardown raised outside every error handler and gunicorn sent its bare
500. Now the request's transaction ends inside the error handlers: a dead connection there is the
friendly 503 page, and nothing the view wrote is kept. The connection is really cut: on
PostgreSQL by pg_terminate_backend from another connection, on SQLite by closing the database
connection under the session.
"""

from __future__ import annotations

import logging
from html import unescape
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, text

from app.database import close_session_quietly, unit_of_work
from app.extensions import db
from app.models import FeedbackRound, Organisation
from app.services.accounts import get_or_create_organisation
from tests.app.rounds.helpers import HMIE
from tests.support import csrf_token


def cut_the_connection() -> None:
    """Kill the database connection the request's session holds, as an outage would."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        pid = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with db.engine.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    else:
        dbapi = connection.connection.dbapi_connection
        assert dbapi is not None
        dbapi.close()


def cut_after(app: Flask, monkeypatch: pytest.MonkeyPatch, endpoint: str) -> list[int]:
    """Run `endpoint`'s view as usual, then cut the connection before the request ends."""
    view = app.view_functions[endpoint]
    statuses: list[int] = []

    def then_cut(*args: Any, **kwargs: Any) -> Any:
        returned = app.make_response(view(*args, **kwargs))
        statuses.append(returned.status_code)
        cut_the_connection()
        return returned

    monkeypatch.setitem(app.view_functions, endpoint, then_cut)
    return statuses


def round_count(app: Flask) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(FeedbackRound)).scalar_one()


def round_form(client: FlaskClient) -> dict[str, Any]:
    return {
        "csrf_token": csrf_token(client, "/"),
        "framework_id": HMIE,
        "name": "Family feedback 2027",
        "choice": ["indicator:2.1"],
        "audience": ["parents"],
        "opens_on": "2027-03-01",
        "closes_on": "2027-03-31",
        "threshold": "5",
    }


def assert_retry_page(response: Any) -> None:
    assert response.status_code == 503
    assert response.headers.get("Retry-After")
    page = unescape(response.get_data(as_text=True))
    assert "Sorry, that did not go through" in page and "nothing was changed" in page


def test_a_connection_cut_after_a_writing_view_ran_is_a_503_and_keeps_nothing(
    app: Flask, client: FlaskClient, coordinator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    form = round_form(client)
    statuses = cut_after(app, monkeypatch, "rounds.new")
    response = client.post("/rounds/new", data=form)
    assert statuses == [303], "the view itself succeeded"
    assert_retry_page(response)
    assert round_count(app) == 0

    monkeypatch.undo()
    again = client.post("/rounds/new", data=round_form(client))
    assert again.status_code == 303
    assert round_count(app) == 1


def test_a_connection_cut_after_a_page_was_read_is_a_503_not_a_bare_500(
    app: Flask, client: FlaskClient, coordinator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    statuses = cut_after(app, monkeypatch, "rounds.index")
    response = client.get("/rounds/")
    assert statuses == [200]
    assert_retry_page(response)
    monkeypatch.undo()
    assert client.get("/rounds/").status_code == 200


def test_a_re_rendered_form_keeps_nothing_the_view_flushed(
    app: Flask, client: FlaskClient, coordinator: Any
) -> None:
    """422 and 409 re-renders roll back, so a view need not undo what it flushed."""
    response = client.post("/rounds/new", data={**round_form(client), "closes_on": "2027-02-01"})
    assert response.status_code == 422
    assert round_count(app) == 0


def test_unit_of_work_commits_on_success_and_rolls_back_on_error(app: Flask) -> None:
    def names() -> list[str]:
        with app.app_context():
            return list(db.session.execute(select(Organisation.name)).scalars())

    with app.app_context(), pytest.raises(RuntimeError), unit_of_work():
        get_or_create_organisation("Never kept")
        raise RuntimeError("a command failed half way")
    assert names() == []
    with app.app_context(), unit_of_work():
        get_or_create_organisation("Kept")
    assert names() == ["Kept"]


def test_the_teardown_closes_a_dead_session_without_raising(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    """The safety net: a transaction opened after the request's unit of work ended, then cut."""
    with app.app_context():
        db.session.execute(select(func.count()).select_from(FeedbackRound))
        cut_the_connection()
        with caplog.at_level(logging.WARNING, logger="chorus.database"):
            close_session_quietly()
        assert "Closing the database session failed" in caplog.text
        assert db.session.execute(select(func.count()).select_from(FeedbackRound)).scalar_one() == 0
