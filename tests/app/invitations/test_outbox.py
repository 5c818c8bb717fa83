"""The outbox against a real SMTP server on loopback: delivery, retries, outages, failures."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select, update

from app.extensions import db
from app.mail import outbox
from app.models import Channel, DeliveryStatus, MessageStatus, OutboxMessage, Response
from app.services.tokens import token_hash
from tests.app.invitations.builders import (
    invitations,
    launched_round,
    messages,
    work,
)
from tests.smtp import SmtpServer, html_part, text_part

LINK = re.compile(r"https?://[^\s\"<>]+/r/([A-Za-z0-9_\-]{43})")
OPT_OUT = re.compile(r"https?://[^\s\"<>]+/unsubscribe/([A-Za-z0-9_\-]{43})")


def _token_of(message) -> str:  # type: ignore[no-untyped-def]
    found = set(LINK.findall(text_part(message))) | set(LINK.findall(html_part(message)))
    assert len(found) == 1, found
    return found.pop()


def test_launch_delivers_every_invitation_with_its_own_working_link(
    app: Flask, smtp: SmtpServer
) -> None:
    round_id = launched_round(app, {"parents": 4, "staff": 3})
    report = work(app)
    assert report.sent == 7 and report.retrying == 0 and report.failed == 0
    delivered = smtp.wait_for(7)

    by_hash = {inv.token_hash: inv for inv in invitations(app, round_id)}
    for message in delivered:
        token = _token_of(message)
        invitation = by_hash[token_hash(token)]  # the link opens this invitation, no other
        assert message["To"] == invitation.email
        assert OPT_OUT.findall(text_part(message)) == [token]
        assert message["List-Unsubscribe"].endswith(f"/unsubscribe/{token}>")
    assert len({_token_of(m) for m in delivered}) == 7
    for invitation in invitations(app, round_id):
        assert invitation.delivery == DeliveryStatus.SENT
        assert invitation.last_messaged_on == datetime.now(UTC).date()
    assert {m.status for m in messages(app, round_id)} == {MessageStatus.SENT}
    # The database holds no usable link: no token anywhere in the outbox rows.
    tokens = {_token_of(m) for m in delivered}
    for row in messages(app, round_id):
        assert not any(t in (row.last_error or "") + row.to_address for t in tokens)


def test_email_content_says_who_why_how_long_until_when_and_promises_anonymity(
    app: Flask, smtp: SmtpServer
) -> None:
    launched_round(app, {"parents": 1})
    work(app)
    (message,) = smtp.wait_for(1)
    text, html = text_part(message), html_part(message)
    assert "Org A" in message["Subject"] and "Org A" in message["From"]
    for body in (text, html):
        assert "Org A" in body
        assert "Dear Person 2" in body
        assert re.search(r"about \S*\d+\S* minutes?", body)
        assert "anonymous" in body.lower()
        assert "groups of at least 5 people" in body
        assert "/unsubscribe/" in body
    closes = (datetime.now(UTC).date() + timedelta(days=14)).strftime("%B %Y")
    assert closes in text
    # No tracking pixels, remote images or scripts.
    assert "<img" not in html.lower()
    assert "<script" not in html.lower()
    assert "url(" not in html.lower()


def test_smtp_down_during_the_drain_then_back_loses_none_and_sends_none_twice(
    app: Flask, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "MAIL_BATCH_SIZE", 5)
    round_id = launched_round(app, {"parents": 12, "staff": 11})
    worker = "worker-1"
    start = datetime.now(UTC)
    with app.app_context():
        first = outbox.process_batch(worker, now=start)
    assert first.sent == 5
    smtp.wait_for(5)

    smtp.stop()  # the mail server goes away mid-drain
    with app.app_context():
        down = outbox.drain(worker, now=start)
    assert down.unreachable and down.sent == 0 and down.retrying == 5
    assert "refused" in (down.error or "")
    with app.app_context():
        waiting = (
            db.session.execute(select(OutboxMessage).where(OutboxMessage.attempts == 1))
            .scalars()
            .all()
        )
        assert len(waiting) == 5
        assert all(m.status == MessageStatus.QUEUED for m in waiting)
        assert all("refused" in (m.last_error or "") for m in waiting)
        assert all(outbox.as_utc(m.next_attempt_at) > start for m in waiting)

    smtp.start()  # back, on the same port
    later = start + timedelta(hours=1)
    with app.app_context():
        rest = outbox.drain(worker, now=later)
    assert rest.sent == 18 and not rest.unreachable
    delivered = smtp.wait_for(23)
    tokens = [_token_of(m) for m in delivered]
    assert len(tokens) == 23 == len(set(tokens)), "every invitation exactly once"
    assert {token_hash(t) for t in tokens} == {i.token_hash for i in invitations(app, round_id)}
    assert {m.status for m in messages(app, round_id)} == {MessageStatus.SENT}
    assert {i.delivery for i in invitations(app, round_id)} == {DeliveryStatus.SENT}


def test_a_refused_address_fails_at_once_and_the_rest_still_go(
    app: Flask, smtp: SmtpServer
) -> None:
    round_id = launched_round(app, {"parents": 3})
    smtp.handler.refuse["parents1@example.org"] = "550 5.1.1 No such user here"
    report = work(app)
    assert report.sent == 2 and report.failed == 1
    assert len(smtp.wait_for(2)) == 2
    failed = [m for m in messages(app, round_id) if m.status == MessageStatus.FAILED]
    assert [m.to_address for m in failed] == ["parents1@example.org"]
    assert "550" in (failed[0].last_error or "") and failed[0].attempts == 1
    delivery = {i.email: i.delivery for i in invitations(app, round_id)}
    assert delivery["parents1@example.org"] == DeliveryStatus.BOUNCED
    assert delivery["parents0@example.org"] == DeliveryStatus.SENT


def test_a_temporary_refusal_backs_off_exponentially_then_fails_after_max_attempts(
    app: Flask, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "MAIL_MAX_ATTEMPTS", 3)
    monkeypatch.setitem(app.config, "MAIL_RETRY_BASE_SECONDS", 60)
    round_id = launched_round(app, {"parents": 1})
    smtp.handler.refuse["parents0@example.org"] = "451 4.3.0 Try again later"
    now = datetime.now(UTC)
    delays = []
    for _ in range(3):
        work(app, now)
        (row,) = messages(app, round_id)
        if row.status == MessageStatus.FAILED:
            break
        assert row.status == MessageStatus.QUEUED
        delays.append(outbox.as_utc(row.next_attempt_at) - now)
        # Nothing is retried before its time.
        assert work(app, now).claimed == 0
        now = outbox.as_utc(row.next_attempt_at)  # type: ignore[assignment]
    # drain() dates each batch's claim by the time elapsed in the pass: allow those microseconds.
    assert [round(d.total_seconds()) for d in delays] == [60, 120]
    (row,) = messages(app, round_id)
    assert row.status == MessageStatus.FAILED and row.attempts == 3
    assert "451" in (row.last_error or "")
    assert invitations(app, round_id)[0].delivery == DeliveryStatus.FAILED
    assert smtp.messages == []


def test_messages_of_a_worker_that_died_are_reclaimed_after_the_timeout(
    app: Flask, smtp: SmtpServer
) -> None:
    round_id = launched_round(app, {"staff": 4})
    start = datetime.now(UTC)
    with app.app_context():
        claimed = outbox.claim("dead-worker", 10, start)  # ... and then the process was killed
    assert len(claimed) == 4
    assert work(app, start).claimed == 0  # still held: the claim is fresh
    timeout = app.config["MAIL_CLAIM_TIMEOUT_SECONDS"]
    report = work(app, start + timedelta(seconds=timeout + 1))
    assert report.sent == 4
    assert len(smtp.wait_for(4)) == 4
    assert {m.status for m in messages(app, round_id)} == {MessageStatus.SENT}


def test_failed_messages_can_be_tried_again_from_the_outbox(
    app: Flask,
    smtp: SmtpServer,
    client,
    coordinator,  # type: ignore[no-untyped-def]
) -> None:
    from tests.support import csrf_token

    round_id = launched_round(app, {"parents": 2})
    smtp.handler.refuse["parents0@example.org"] = "550 Mailbox unavailable"
    work(app)
    assert {i.email: i.delivery for i in invitations(app, round_id)}[
        "parents0@example.org"
    ] == DeliveryStatus.BOUNCED
    smtp.handler.refuse.clear()  # the address was fixed at the other end
    page = client.get("/rounds/outbox").get_data(as_text=True)
    assert "Mailbox unavailable" in page
    response = client.post(
        f"/rounds/{round_id}/outbox/retry", data={"csrf_token": csrf_token(client, "/")}
    )
    assert response.status_code == 303
    assert {i.delivery for i in invitations(app, round_id)} == {
        DeliveryStatus.QUEUED,
        DeliveryStatus.SENT,
    }
    assert work(app).sent == 1
    assert {i.delivery for i in invitations(app, round_id)} == {DeliveryStatus.SENT}


def test_with_no_mail_server_production_keeps_messages_but_never_shows_links(
    app: Flask,
    no_smtp: None,
    client,
    coordinator,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    launched_round(app, {"parents": 2})
    page = client.get("/rounds/outbox").get_data(as_text=True)
    assert "No mail server is set up" in page and "parents0@example.org" in page
    assert not LINK.search(page) and "/unsubscribe/" not in page
    assert "demonstrations only" not in page
    # DEMO_LINKS set by mistake on a production (not debug) app changes nothing.
    monkeypatch.setitem(app.config, "DEMO_LINKS", True)
    monkeypatch.setattr(app, "testing", False)
    page = client.get("/rounds/outbox").get_data(as_text=True)
    assert not LINK.search(page) and "demonstrations only" not in page


def test_the_demo_configuration_shows_links_with_no_mail_server(
    app: Flask,
    no_smtp: None,
    client,
    coordinator,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(app.config, "DEMO_LINKS", True)
    round_id = launched_round(app, {"parents": 2})
    assert work(app).claimed == 0
    assert {m.status for m in messages(app, round_id)} == {MessageStatus.QUEUED}
    page = client.get("/rounds/outbox").get_data(as_text=True)
    assert "No mail server is set up" in page
    assert "demonstrations only" in page
    tokens = LINK.findall(page)
    assert {token_hash(t) for t in tokens} == {i.token_hash for i in invitations(app, round_id)}
    # The link really opens the questionnaire (the respondent journey takes the token).
    if "respond.enter_invitation" in app.view_functions:
        response = client.get(f"/r/{tokens[0]}")
        assert response.status_code in (302, 303)
        assert tokens[0] not in response.headers["Location"]


def test_with_a_mail_server_the_outbox_never_shows_links(
    app: Flask,
    smtp: SmtpServer,
    client,
    coordinator,  # type: ignore[no-untyped-def]
) -> None:
    launched_round(app, {"parents": 2})
    page = client.get("/rounds/outbox").get_data(as_text=True)
    assert "parents0@example.org" in page
    assert not LINK.search(page) and "/unsubscribe/" not in page
    assert "demonstrations only" not in page


def test_a_round_that_closed_before_sending_does_not_send(app: Flask, smtp: SmtpServer) -> None:
    from app.models import FeedbackRound, RoundStatus

    round_id = launched_round(app, {"parents": 2})
    with app.app_context():
        db.session.execute(
            update(FeedbackRound)
            .where(FeedbackRound.id == round_id)
            .values(status=RoundStatus.CLOSED)
        )
        db.session.commit()
    report = work(app)
    assert report.sent == 0 and report.failed == 2
    assert smtp.messages == []
    assert {i.delivery for i in invitations(app, round_id)} == {DeliveryStatus.FAILED}


def test_mail_work_once_command_sends_and_reports(app: Flask, smtp: SmtpServer) -> None:
    launched_round(app, {"staff": 3})
    result = app.test_cli_runner().invoke(args=["mail", "work", "--once"])
    assert result.exit_code == 0, result.output
    assert "Sent 3;" in result.output
    assert len(smtp.wait_for(3)) == 3
    status = app.test_cli_runner().invoke(args=["mail", "status"])
    assert re.search(r"sent\s+3", status.output)


def test_mail_work_without_a_mail_server_sends_nothing_but_still_releases(
    app: Flask, no_smtp: None
) -> None:
    round_id = launched_round(app, {"staff": 3})
    with app.app_context():
        from app.services import mix
        from app.services.mix import Sealed

        sealed = [Sealed(channel=Channel.PAPER, role=None, answers=[], comments=[])] * 5
        mix.put(round_id, "staff", sealed)
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["mail", "work", "--once"])
    assert result.exit_code == 0, result.output
    assert "MAIL_SERVER is not set" in result.output and "Sent 0;" in result.output
    with app.app_context():
        assert mix.waiting_counts(round_id) == {}
        released = db.session.execute(
            select(func.count()).select_from(Response).where(Response.round_id == round_id)
        ).scalar_one()
        assert released == 5
        queued = db.session.execute(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.status == MessageStatus.QUEUED)
        ).scalar_one()
        assert queued == 3  # kept on the Outbox page


def test_mail_work_once_fails_loudly_when_the_server_is_down(app: Flask, smtp: SmtpServer) -> None:
    launched_round(app, {"staff": 1})
    smtp.stop()
    result = app.test_cli_runner().invoke(args=["mail", "work", "--once"])
    assert result.exit_code != 0
    assert "refused the connection" in result.output


def test_claims_are_exclusive(app: Flask) -> None:
    launched_round(app, {"staff": 6})
    now = datetime.now(UTC)
    with app.app_context():
        first = outbox.claim("a", 4, now)
        second = outbox.claim("b", 4, now)
        third = outbox.claim("c", 4, now)
    assert len(first) == 4 and len(second) == 2 and third == []
    assert not set(first) & set(second)
    assert all(isinstance(i, uuid.UUID) for i in first)


def test_the_emailed_link_opens_the_right_questionnaire(
    app: Flask, smtp: SmtpServer, client
) -> None:  # type: ignore[no-untyped-def]
    from app.models import Questionnaire

    round_id = launched_round(app, {"parents": 1, "staff": 1})
    work(app)
    with app.app_context():
        questionnaires = {
            q.audience: str(q.id)
            for q in db.session.execute(
                select(Questionnaire).where(Questionnaire.round_id == round_id)
            ).scalars()
        }
    for message in smtp.wait_for(2):
        audience = message["To"].split("0@")[0]
        response = client.get(f"/r/{_token_of(message)}")
        assert response.status_code == 303
        location = response.headers["Location"]
        assert questionnaires[audience] in location
        assert _token_of(message) not in location  # the token leaves the address at once
