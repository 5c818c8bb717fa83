"""Emails to staff (a colleague's invitation, a password reset), sent at once over SMTP.

These are not in the outbox: they concern staff accounts, not respondents, and a person waiting
on the "check your email" page wants the message now. The link is in the message only; the
database keeps its hash (app.services.accounts.colleagues). A failure is logged without the
link and reported to the caller, never raised into the request.
"""

from __future__ import annotations

import logging
import smtplib
import threading
from email.utils import formataddr, parseaddr

from flask import current_app, render_template

from app.mail import smtp
from app.mail.render import ChorusMessage, email_sender

log = logging.getLogger("chorus.mail")


def send(to: str, subject: str, template: str, **ctx: object) -> bool:
    """True if the mail server accepted the message; False if none is configured or it failed."""
    if not smtp.mail_configured():
        return False
    return _deliver(_message(to, subject, template, **ctx))


def send_later(to: str, subject: str, template: str, **ctx: object) -> None:
    """Send from a thread, so the page answers in the same time whether or not a message
    goes (the forgot-password page must not reveal, even by its speed, who has an account)."""
    if not smtp.mail_configured():
        return
    message = _message(to, subject, template, **ctx)
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # a proxy

    def run() -> None:
        with app.app_context():
            _deliver(message)

    threading.Thread(target=run, name="chorus-staff-mail", daemon=True).start()


def _message(to: str, subject: str, template: str, **ctx: object) -> ChorusMessage:
    _, sender = parseaddr(current_app.config.get("MAIL_DEFAULT_SENDER") or "chorus@localhost")
    message = ChorusMessage(
        subject=subject,
        recipients=[to],
        body=render_template(template, **ctx),
        sender=formataddr(("Chorus", sender)),
    )
    return message


def _deliver(message: ChorusMessage) -> bool:
    try:
        with smtp.connect() as connection:
            connection.send(message, envelope_from=email_sender(message))
    except (smtplib.SMTPException, OSError) as exc:
        log.warning("Could not send a staff email: %s", smtp.describe_error(exc))
        return False
    return True
