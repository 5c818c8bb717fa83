"""Anonymity, proved (DESIGN.md section 6): after real submissions nothing links a response to
an invitation, a token, an email address or a time, in the schema, the data, the logs or the
pages."""

from __future__ import annotations

import http.cookiejar
import logging
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Date, DateTime, Time, inspect, select
from werkzeug.serving import make_server

from app.extensions import db
from app.models import Invitation, Response, SavedDraft
from app.services.tokens import draft_lookup, token_hash
from tests.app.respond.helpers import (
    SECRET,
    Browser,
    Launched,
    add_open_link,
    hidden_fields,
    invite,
    page_fields,
)
from tests.support import release_all

RESPONSE_TABLES = ("response", "answer", "comment", "question_answer", "question_text")
# The only places a response id may appear: the response itself and its own answers and comments.
RESPONSE_ID_HOMES = {
    ("response", "id"),
    ("answer", "response_id"),
    ("comment", "response_id"),
    ("question_answer", "response_id"),  # the round's own questions (issue 20)
    ("question_text", "response_id"),
}


def _journey(app: Flask, launched: Launched, phone: Browser, token: str) -> None:
    """Enter, answer with a comment, save, resume, and send."""
    base = f"/q/{launched.questionnaires['parents']}"
    phone.enter(f"/r/{token}")
    phone.start()
    data = {**phone.answer("a"), "ft-0-works_well": "Helpful staff", "nav": "next"}
    phone.follow(phone.post(f"{base}/page/1", data))
    phone.follow(phone.post(f"{base}/page/2", {**phone.answer("d"), "nav": "save"}))
    phone.enter(f"/r/{token}")
    phone.follow(phone.post(f"{base}/start", {"nav": "start"}))
    phone.complete()
    assert "Your answers have been sent" in phone.html


@pytest.fixture
def answered(app: Flask, launched: Launched, patient: None) -> dict[str, Any]:
    """Three invited respondents and one open-link respondent, all sent."""
    tokens = [invite(app, launched.round_id, email=f"person{n}@people.example") for n in range(3)]
    browsers = []
    for token in tokens:
        phone = Browser(app.test_client())
        _journey(app, launched, phone, token)
        browsers.append(phone)
    walker = Browser(app.test_client())
    walker.enter(f"/o/{add_open_link(app, launched.round_id)}")
    walker.start()
    walker.complete()
    release_all(app)
    with app.app_context():
        invitations = list(db.session.execute(select(Invitation)).scalars())
        secrets = {str(i.id) for i in invitations} | {i.id.hex for i in invitations}
        secrets |= {i.token_hash for i in invitations} | {i.email for i in invitations}
        secrets |= set(tokens) | {draft_lookup(SECRET, t) for t in tokens}
        response_ids = list(db.session.execute(select(Response.id)).scalars())
    assert len(response_ids) == 4
    return {
        "tokens": tokens,
        "secrets": secrets,
        "response_ids": response_ids,
        "browsers": [*browsers, walker],
    }


def test_response_tables_have_no_time_and_no_key_to_invitations(app: Flask) -> None:
    with app.app_context():
        inspector = inspect(db.engine)
        for table in RESPONSE_TABLES:
            for column in inspector.get_columns(table):
                assert not isinstance(column["type"], DateTime | Date | Time), (table, column)
                name = column["name"].lower()
                for word in ("time", "date", "created", "ip", "agent", "token", "email", "invit"):
                    assert word not in name, (table, name)
            for fk in inspector.get_foreign_keys(table):
                assert fk["referred_table"] in {
                    "feedback_round",
                    "response",
                    "question_item",
                    "round_question",
                }
        # Nothing elsewhere points at a response.
        for table in inspector.get_table_names():
            if table in RESPONSE_TABLES:
                continue
            for fk in inspector.get_foreign_keys(table):
                assert fk["referred_table"] not in RESPONSE_TABLES, (table, fk)
        # The day counter counts; it holds no response.
        columns = {c["name"] for c in inspector.get_columns("response_day_count")}
        assert columns == {"round_id", "audience", "channel", "day", "count"}


def _all_values(app: Flask) -> Iterator[tuple[str, str, str]]:
    with app.app_context():
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(select(table)).mappings():
                for column, value in row.items():
                    if value is None:
                        continue
                    if isinstance(value, bytes):
                        yield table.name, column, value.hex()
                    elif isinstance(value, uuid.UUID):
                        yield table.name, column, str(value)
                        yield table.name, column, value.hex
                    else:
                        yield table.name, column, str(value)


def test_no_stored_value_links_a_response_to_an_invitation(
    app: Flask, answered: dict[str, Any]
) -> None:
    secrets: set[str] = answered["secrets"]
    response_ids = {str(r) for r in answered["response_ids"]} | {
        r.hex for r in answered["response_ids"]
    }
    for table, column, value in _all_values(app):
        if table in (*RESPONSE_TABLES, "response_day_count"):
            assert value not in secrets, (table, column)
            assert not any(s in value for s in secrets if len(s) > 20), (table, column)
        if any(r in value for r in response_ids):
            assert (table, column) in RESPONSE_ID_HOMES, (table, column)
    with app.app_context():
        invitation_ids = set(db.session.execute(select(Invitation.id)).scalars())
    assert not invitation_ids & set(answered["response_ids"])


def test_drafts_are_gone_after_sending(app: Flask, answered: dict[str, Any]) -> None:
    with app.app_context():
        assert db.session.execute(select(SavedDraft)).first() is None


def test_pages_carry_no_token_after_the_first_redirect(
    app: Flask, answered: dict[str, Any]
) -> None:
    for phone in answered["browsers"]:
        assert phone.pages, "the journey produced pages"
        for page in phone.pages:
            for secret in answered["secrets"]:
                assert secret not in page
            for name, value in hidden_fields(page).items():
                assert name in {"csrf_token", "t", "check", "change"}, name
                assert all(s not in value for s in answered["secrets"])
        for location in phone.locations:
            assert all(s not in location for s in answered["secrets"]), location


def test_the_session_lets_go_of_the_token_once_the_answers_are_sent(
    app: Flask, answered: dict[str, Any]
) -> None:
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    for phone, token in zip(answered["browsers"], answered["tokens"], strict=False):
        session = serializer.loads(phone.client.get_cookie("session").value)
        assert token not in str(session)
        assert session["respondent"]["done"] is True
        assert phone.client.get_cookie("chorus_progress") is None


class _HttpBrowser:
    """A real HTTP client against a real server, so werkzeug writes its access log."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        self.html = ""

    def open(self, path: str, data: dict[str, str] | None = None) -> str:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        with self.opener.open(self.base + path, body, timeout=10) as response:
            self.html = response.read().decode()
            return response.url

    def csrf(self) -> str:
        return re.search(r'name="csrf-token" content="([^"]+)"', self.html).group(1)  # type: ignore[union-attr]


def test_no_log_line_holds_a_token_or_links_a_response(
    app: Flask, launched: Launched, caplog: pytest.LogCaptureFixture
) -> None:
    token = invite(app, launched.round_id)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    # Everything the app and werkzeug log, at DEBUG. (SQLAlchemy's echo, a developer tool that
    # prints every parameter, stays at its default WARNING: the app never turns it on.)
    caplog.set_level(logging.DEBUG)
    for name in ("werkzeug", "app", "chorus", "flask_limiter"):
        caplog.set_level(logging.DEBUG, logger=name)
    try:
        client = _HttpBrowser(f"http://127.0.0.1:{server.server_port}")
        url = client.open(f"/r/{token}")
        assert token not in url
        for _ in range(10):
            action = re.findall(r'<form method="post" action="([^"]+)"', client.html)[-1]
            fields = page_fields(client.html)
            data = {name: options[0] for name, options in fields["radios"].items()}
            data.update({name: "Fine" for name in fields["texts"]})
            data["csrf_token"] = client.csrf()
            data["nav"] = (
                "send"
                if action.endswith("/send")
                else ("start" if action.endswith("/start") else "next")
            )
            url = client.open(action, data)
            if url.endswith("/thanks"):
                break
        assert "Your answers have been sent" in client.html
        with pytest.raises(urllib.error.HTTPError):  # a replayed link is logged too
            client.open(f"/r/{token}x")
    finally:
        server.shutdown()
        thread.join(timeout=5)
    release_all(app)
    with app.app_context():
        response_id = db.session.execute(select(Response.id)).scalar_one()
        invitation = db.session.execute(select(Invitation)).scalar_one()
    lines = [record.getMessage() for record in caplog.records]
    assert any("/r/[redacted]" in line for line in lines), "werkzeug's access log was captured"
    forbidden = {
        token,
        token_hash(token),
        str(invitation.id),
        invitation.email,
        str(response_id),
        response_id.hex,
        draft_lookup(SECRET, token),
    }
    for line in lines:
        for secret in forbidden:
            assert secret not in line, line
