"""The embedded default runs the outbox loop in a thread of the web app itself."""

from __future__ import annotations

import threading
import time

import pytest
from flask import Flask

import tests.app.conftest as base
from app import create_app
from app.config import build_config
from app.models import DeliveryStatus
from tests.app.invitations.builders import invitations, launched_round
from tests.smtp import LOOPBACK, SmtpServer


def test_the_in_process_worker_starts_with_the_first_request_and_sends(
    app: Flask, smtp: SmtpServer, database_url: str
) -> None:
    round_id = launched_round(app, {"parents": 3})
    served = create_app(
        base.test_config(
            database_url,
            MAIL_WORKER_IN_PROCESS=True,
            MAIL_SERVER=LOOPBACK,
            MAIL_PORT=smtp.port,
            MAIL_SUPPRESS_SEND=False,
            MAIL_POLL_SECONDS=0.1,
        )
    )
    state = served.extensions["chorus_mail_worker"]
    assert state["thread"] is None, "nothing may start before the app serves a request"
    try:
        served.test_client().get("/health")
        thread = state["thread"]
        assert isinstance(thread, threading.Thread) and thread.daemon and thread.is_alive()
        served.test_client().get("/health")
        assert state["thread"] is thread, "one worker thread per process"
        assert len(smtp.wait_for(3)) == 3
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if {i.delivery for i in invitations(app, round_id)} == {DeliveryStatus.SENT}:
                break
            time.sleep(0.05)
        assert {i.delivery for i in invitations(app, round_id)} == {DeliveryStatus.SENT}
    finally:
        state["stop"].set()
        if state["thread"] is not None:
            state["thread"].join(10)
        with served.app_context():
            from app.extensions import db

            db.engine.dispose()


@pytest.mark.parametrize(
    "overrides, env, expected",
    [
        ({}, {}, True),  # SQLite, serving: the embedded default
        ({"TESTING": True}, {}, False),
        ({"DATABASE_URL": "postgresql://u@h/db"}, {}, False),
        ({"DATABASE_URL": "postgresql://u@h/db"}, {"MAIL_WORKER_IN_PROCESS": "1"}, True),
        ({}, {"MAIL_WORKER_IN_PROCESS": "false"}, False),
    ],
)
def test_in_process_worker_default(
    tmp_path,
    monkeypatch: pytest.MonkeyPatch,
    overrides: dict,
    env: dict,
    expected: bool,  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.delenv("MAIL_WORKER_IN_PROCESS", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    config = build_config(str(tmp_path), {"SECRET_KEY": "k", **overrides})
    assert config["MAIL_WORKER_IN_PROCESS"] is expected
    assert config["MAIL_MAX_ATTEMPTS"] == 5
