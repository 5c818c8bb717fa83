"""When a part the app depends on fails mid-request: never a 500, nothing half-saved.

The database: a 503 that says try again. The fast, in-process companion of
tests/faults/test_database_drop.py (which cuts a real PostgreSQL connection under gunicorn):
here SQLAlchemy's own event hook fails the answers' INSERT once with the OperationalError a
dropped connection raises, on SQLite and PostgreSQL. The rate limiter's storage: the request
goes through. Also: the open-link settings read from the environment (app/config.py).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from html import unescape
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError

from app.config import ConfigurationError, build_config
from app.extensions import db, limiter
from app.models import (
    Answer,
    Comment,
    InvitationStatus,
    Response,
    ResponseDayCount,
    SealedSubmission,
    SpentSubmission,
)
from app.services import abuse
from app.services.responding import clear_shape_cache
from tests.app.respond.helpers import Browser, invitation_status, invite, launch_round
from tests.support import csrf_token, release_all


class DropOnce:
    """Fail the first statement that starts with `prefix`, as a dropped connection would."""

    def __init__(self, prefix: str):
        self.prefix = prefix
        self.fired = 0

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not self.fired and statement.lstrip().upper().startswith(self.prefix):
            self.fired += 1
            raise OperationalError(statement, {}, sqlite3.OperationalError("disk I/O error"))


@pytest.fixture
def drop_once(app: Flask) -> Iterator[DropOnce]:
    hook = DropOnce("INSERT INTO SEALED_SUBMISSION")
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", hook)
    clear_shape_cache()
    yield hook
    event.remove(engine, "before_cursor_execute", hook)
    clear_shape_cache()


def _counts(app: Flask) -> list[int]:
    """Sealed, spent, then responses, answers, comments and day counts once released."""
    with app.app_context():
        kept = [
            db.session.execute(select(func.count()).select_from(model)).scalar_one()
            for model in (SealedSubmission, SpentSubmission)
        ]
    release_all(app)
    with app.app_context():
        return kept + [
            db.session.execute(select(func.count()).select_from(model)).scalar_one()
            for model in (Response, Answer, Comment, ResponseDayCount)
        ]


def test_a_dropped_connection_while_sending_shows_a_retry_page_and_keeps_nothing(
    app: Flask, client: FlaskClient, drop_once: DropOnce, caplog: pytest.LogCaptureFixture
) -> None:
    launched = launch_round(app)
    token = invite(app, launched.round_id)
    phone = Browser(client)
    phone.enter(f"/r/{token}")
    phone.start()
    phone.reach_check()

    with caplog.at_level(logging.WARNING, logger="chorus.errors"):
        failed = phone.send_checked()
    assert drop_once.fired == 1
    assert failed.status_code == 503
    assert failed.headers.get("Retry-After")
    text = unescape(failed.get_data(as_text=True))
    assert "Sorry, that did not go through" in text
    assert "Your answers so far are kept on this device" in text
    assert _counts(app) == [0, 0, 0, 0, 0, 0]
    assert invitation_status(app, token) == InvitationStatus.PENDING
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "Database unavailable during respond.send: OperationalError" in logged
    assert token not in logged and "INSERT" not in logged  # no link, no statement, no answers

    phone.get(phone.locations[-1])  # Back: the check page again, answers kept on the phone
    assert "Check your answers" in phone.text
    sent = phone.send_checked()
    assert sent.status_code == 303 and sent.location.endswith("/thanks")
    assert _counts(app)[:3] == [1, 1, 1]
    assert invitation_status(app, token) == InvitationStatus.COMPLETED


def test_staff_pages_say_the_same_in_their_own_layout(
    app: Flask, coordinator: Any, client: FlaskClient
) -> None:
    hook = DropOnce("SELECT")
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", hook)
    try:
        response = client.get("/rounds")
    finally:
        event.remove(engine, "before_cursor_execute", hook)
    assert hook.fired == 1
    assert response.status_code == 503
    page = unescape(response.get_data(as_text=True))
    assert "Sorry, that did not go through" in page and "Error 503" in page


def test_a_failing_rate_limit_store_lets_the_request_through(
    app: Flask, client: FlaskClient, make_user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Redis gone, or limits' memory storage racing under threads: the limiter's error is
    logged and the request is served (without a limit) rather than refused with a 500."""
    make_user("coord@a.example")
    storage = limiter.storage

    def broken(*args: Any, **kwargs: Any) -> int:
        raise RuntimeError("threads can only be started once")

    monkeypatch.setattr(storage, "incr", broken)
    response = client.post(
        "/login",
        data={"email": "coord@a.example", "password": "wrong", "csrf_token": csrf_token(client)},
    )
    assert response.status_code == 422, response.status_code
    assert "Sorry, something went wrong" not in response.get_data(as_text=True)


def _config(monkeypatch: pytest.MonkeyPatch, tmp_path: Any, **env: str) -> dict[str, Any]:
    for key in (
        "RESPOND_PAGE_RATE_LIMIT",
        "RESPOND_SEND_RATE_LIMIT",
        "RESPOND_MIN_SECONDS_PER_QUESTION",
    ):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return build_config(str(tmp_path), {"TESTING": True, "SECRET_KEY": "k"})


def test_open_link_settings_come_from_the_environment(monkeypatch, tmp_path) -> None:
    assert "RESPOND_MIN_SECONDS_PER_QUESTION" not in _config(monkeypatch, tmp_path)
    config = _config(
        monkeypatch,
        tmp_path,
        RESPOND_PAGE_RATE_LIMIT="2000 per 10 minutes",
        RESPOND_SEND_RATE_LIMIT="500 per hour",
        RESPOND_MIN_SECONDS_PER_QUESTION="0",
    )
    assert config["RESPOND_PAGE_RATE_LIMIT"] == "2000 per 10 minutes"
    assert config["RESPOND_SEND_RATE_LIMIT"] == "500 per hour"
    assert config["RESPOND_MIN_SECONDS_PER_QUESTION"] == 0.0


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("RESPOND_PAGE_RATE_LIMIT", "lots"),
        ("RESPOND_SEND_RATE_LIMIT", "40 per fortnight"),
        ("RESPOND_MIN_SECONDS_PER_QUESTION", "soon"),
        ("RESPOND_MIN_SECONDS_PER_QUESTION", "-1"),
    ],
)
def test_bad_open_link_settings_stop_start_up_with_one_line(
    monkeypatch, tmp_path, key: str, value: str
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        _config(monkeypatch, tmp_path, **{key: value})
    assert key in str(caught.value.code)


def test_the_minimum_time_on_a_page_follows_the_setting(app: Flask) -> None:
    with app.test_request_context():
        assert abuse.minimum_seconds(2) == 2  # the default: a second a question
        app.config["RESPOND_MIN_SECONDS_PER_QUESTION"] = 0.5
        try:
            assert abuse.minimum_seconds(2) == 1
            assert abuse.minimum_seconds(40) == 3  # never more than three seconds
        finally:
            del app.config["RESPOND_MIN_SECONDS_PER_QUESTION"]
