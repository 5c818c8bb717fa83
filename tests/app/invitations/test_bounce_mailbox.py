"""Delivery-status notifications read from a bounce mailbox on a real IMAP server (Dovecot)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from app.mail import bounces
from app.models import DeliveryStatus
from tests.app.invitations.builders import invitation_by_email, launched_round, work
from tests.imap import ImapServer
from tests.smtp import SmtpServer


@pytest.fixture
def imap(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[ImapServer]:
    with ImapServer() as server:
        for key, value in {
            "BOUNCE_IMAP_HOST": "127.0.0.1",
            "BOUNCE_IMAP_PORT": server.port,
            "BOUNCE_IMAP_SSL": False,
            "BOUNCE_IMAP_USER": server.user,
            "BOUNCE_IMAP_PASSWORD": server.password,
        }.items():
            monkeypatch.setitem(app.config, key, value)
        yield server


def dsn(
    recipient: str, subject: str | None, status: str = "5.1.1", action: str = "failed"
) -> bytes:
    """A delivery-status notification as a mail server writes one (RFC 3464)."""
    quoted = (
        "--REPORT\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: feedback@chorus.example\r\nTo: {recipient}\r\nSubject: {subject}\r\n\r\n"
        if subject is not None
        else ""
    )
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example>\r\n"
        "To: feedback@chorus.example\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="REPORT"\r\n'
        "\r\n"
        "--REPORT\r\nContent-Type: text/plain\r\n\r\n"
        "Your message could not be delivered.\r\n\r\n"
        "--REPORT\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\nAction: {action}\r\nStatus: {status}\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 User unknown\r\n\r\n"
        f"{quoted}"
        "--REPORT--\r\n"
    ).encode()


def test_a_later_bounce_report_marks_only_that_invitation_bounced(
    app: Flask, smtp: SmtpServer, imap: ImapServer
) -> None:
    launched_round(app, {"parents": 3})
    work(app)
    sent = {m["To"]: str(m["Subject"]) for m in smtp.wait_for(3)}
    imap.append(dsn("Parents0@Example.org", sent["parents0@example.org"]))
    # A reminder's report, a temporary failure and a message that is not a report: no change.
    imap.append(dsn("parents1@example.org", "Reminder: Org A would like your views by Monday"))
    imap.append(dsn("parents2@example.org", sent["parents2@example.org"], "4.2.2", "delayed"))
    imap.append(b"From: someone@example.org\r\nSubject: Out of office\r\n\r\nAway.\r\n")

    work(app)
    assert invitation_by_email(app, "parents0@example.org").delivery == DeliveryStatus.BOUNCED
    assert invitation_by_email(app, "parents1@example.org").delivery == DeliveryStatus.SENT
    assert invitation_by_email(app, "parents2@example.org").delivery == DeliveryStatus.SENT
    assert imap.unseen() == 0, "every message is read once"


def test_a_report_quoting_no_subject_is_left_alone(
    app: Flask, smtp: SmtpServer, imap: ImapServer
) -> None:
    launched_round(app, {"parents": 1})
    work(app)
    smtp.wait_for(1)
    imap.append(dsn("parents0@example.org", None))
    with app.app_context():
        assert bounces.read_mailbox() == 0
    assert invitation_by_email(app, "parents0@example.org").delivery == DeliveryStatus.SENT


def test_an_unreachable_mailbox_does_not_stop_the_mail(
    app: Flask, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.smtp import free_port

    monkeypatch.setitem(app.config, "BOUNCE_IMAP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "BOUNCE_IMAP_PORT", free_port())
    monkeypatch.setitem(app.config, "BOUNCE_IMAP_SSL", False)
    launched_round(app, {"parents": 2})
    assert work(app).sent == 2
