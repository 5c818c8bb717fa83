"""Emails to staff: a colleague's invitation is sent at once over SMTP (the coordinator is told
whether it went); a password reset goes through the outbox like respondents' mail
(`request_reset` queues it; the mail worker builds it here with `staff_message`). The link is in
the message only; the database keeps its hash (app.services.accounts.colleagues). A failure is
logged without the link and reported to the caller, never raised into the request.
"""

from __future__ import annotations

import logging
import smtplib
from email.utils import formataddr, parseaddr

from flask import current_app, render_template

from app.mail import smtp
from app.mail.render import ChorusMessage, email_sender

log = logging.getLogger("chorus.mail")


def send(to: str, subject: str, template: str, **ctx: object) -> bool:
    """True if the mail server accepted the message; False if none is configured or it failed."""
    if not smtp.mail_configured():
        return False
    return _deliver(staff_message(to, subject, template, **ctx))


def staff_message(to: str, subject: str, template: str, **ctx: object) -> ChorusMessage:
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
