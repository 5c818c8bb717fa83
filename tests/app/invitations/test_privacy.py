"""No coordinator page, CSV, log line or email reveals who has completed (DESIGN.md section 6).

Per-person views show only whether the invitation email itself was delivered. The strongest
check: complete one of two invitations and remind the other, and every per-person page and
export stays byte-for-byte the same.
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from app.extensions import db
from app.models import FeedbackRound, Invitation
from app.services import reminders
from app.services.tokens import derive_token
from tests.app.invitations.builders import (
    complete,
    invitation_by_email,
    invitations,
    launched_round,
    today,
    work,
)
from tests.smtp import SmtpServer

# The CSRF token carries a timestamp; it is the only part allowed to differ.
_CSRF = re.compile(rb'(name="csrf-token" content="|name="csrf_token" value=")[^"]+"')


def _per_person_snapshots(client: FlaskClient, round_id) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    pages = {
        "people": f"/rounds/{round_id}/invitations",
        "people_parents": f"/rounds/{round_id}/invitations?audience=parents",
        "people_sent": f"/rounds/{round_id}/invitations?delivery=sent",
        "people_search": f"/rounds/{round_id}/invitations?q=parents0",
        "csv": f"/rounds/{round_id}/invitations.csv",
    }
    snapshots = {}
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        snapshots[name] = _CSRF.sub(rb'\1"', response.get_data())
    outbox = client.get(f"/rounds/outbox?round={round_id}").get_data(as_text=True)
    # The outbox's per-person table (invitation emails); the round summary above it has counts.
    snapshots["outbox_people"] = _CSRF.sub(
        rb'\1"', outbox[outbox.index('<h2 id="messages">') :].encode()
    )
    return snapshots


def _remind_everyone_due(app: Flask, round_id) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        db.session.execute(
            update(Invitation)
            .where(Invitation.round_id == round_id)
            .values(last_messaged_on=today() - timedelta(days=10))
        )
        rnd = db.session.get(FeedbackRound, round_id)
        reminders.queue_reminders(rnd, today())
        db.session.commit()


def test_completing_and_reminding_changes_nothing_on_any_per_person_page(
    app: Flask,
    smtp: SmtpServer,
    client: FlaskClient,
    coordinator,  # type: ignore[no-untyped-def]
) -> None:
    round_id = launched_round(app, {"parents": 2})
    work(app)
    smtp.wait_for(2)
    before = _per_person_snapshots(client, round_id)
    assert b"parents0@example.org" in before["people"] and b"parents1@example.org" in before["csv"]

    complete(app, invitation_by_email(app, "parents0@example.org").id)
    _remind_everyone_due(app, round_id)  # only parents1 gets a reminder
    assert work(app).sent == 1
    assert [m["To"] for m in smtp.wait_for(3)][2] == "parents1@example.org"

    after = _per_person_snapshots(client, round_id)
    for name in before:
        if after[name] != before[name]:
            import difflib

            diff = "\n".join(
                difflib.unified_diff(
                    before[name].decode().splitlines(),
                    after[name].decode().splitlines(),
                    lineterm="",
                )
            )
            raise AssertionError(f"{name} changed after one person completed:\n{diff}")

    # The count pages show no count under k: one person answered, and it reads so.
    dashboard = client.get(f"/rounds/{round_id}/responses").get_data(as_text=True)
    assert "Fewer than 5" in dashboard and not re.search(r'<td class="num">1</td>', dashboard)
    assert "parents0@example.org" not in dashboard and "parents1@example.org" not in dashboard


def test_count_pages_name_nobody(
    app: Flask,
    smtp: SmtpServer,
    client: FlaskClient,
    coordinator,  # type: ignore[no-untyped-def]
) -> None:
    round_id = launched_round(app, {"parents": 3})
    work(app)
    complete(app, invitation_by_email(app, "parents2@example.org").id)
    _remind_everyone_due(app, round_id)
    for url in (
        f"/rounds/{round_id}/responses",
        f"/rounds/{round_id}/reminders",
        f"/rounds/{round_id}/open-links",
    ):
        page = client.get(url).get_data(as_text=True)
        assert "@example.org" not in page, url
    outbox = client.get("/rounds/outbox").get_data(as_text=True)
    summary = outbox[: outbox.index('<h2 id="messages">')]
    assert "@example.org" not in summary
    # Reminders never appear per person in the outbox.
    people = outbox[outbox.index('<h2 id="messages">') :]
    assert people.count("@example.org") == 3  # the three invitation emails, no more


def test_no_log_line_holds_an_address_a_token_or_who_completed(
    app: Flask,
    smtp: SmtpServer,
    client: FlaskClient,
    coordinator,  # type: ignore[no-untyped-def]
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    round_id = launched_round(app, {"staff": 2})
    work(app)
    secret = app.config["SECRET_KEY"]
    tokens = [derive_token(secret, i.id) for i in invitations(app, round_id)]
    complete(app, invitation_by_email(app, "staff0@example.org").id)
    _remind_everyone_due(app, round_id)
    work(app)
    client.get(f"/unsubscribe/{tokens[1]}")
    client.post(f"/unsubscribe/{tokens[1]}")
    client.get(f"/rounds/{round_id}/responses")
    ours = [r for r in caplog.records if not r.name.startswith("mail.log")]  # not the test server
    assert any(r.name == "chorus.mail" for r in ours)
    for record in ours:
        message = record.getMessage()
        assert "@example.org" not in message, message
        assert not any(t in message for t in tokens), message
        assert "staff0" not in message and "completed" not in message.lower(), message
