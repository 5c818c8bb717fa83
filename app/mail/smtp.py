"""One SMTP connection per batch through Flask-Mail, with a timeout.

Flask-Mail's Connection opens `smtplib.SMTP(server, port)` without a timeout, so a mail server
that accepts the TCP connection and then says nothing would hang a worker forever. This
subclass adds the timeout and reads the settings from the live config (not the copy taken at
`init_app`), so a worker sees the MAIL_* values it was started with.
"""

from __future__ import annotations

import smtplib
from types import TracebackType

from flask import current_app
from flask_mail import Connection

from app.extensions import mail


class TimedConnection(Connection):
    def __init__(self, state: object, timeout: float):
        super().__init__(state)  # type: ignore[arg-type]  # Flask-Mail passes its per-app _Mail too
        self.timeout = timeout

    def configure_host(self) -> smtplib.SMTP | smtplib.SMTP_SSL:
        settings = self.mail
        factory = smtplib.SMTP_SSL if settings.use_ssl else smtplib.SMTP
        host = factory(settings.server, settings.port, timeout=self.timeout)
        # Never smtplib's debug output, whatever MAIL_DEBUG says: it prints every message
        # body, live invitation links included, to the log.
        host.set_debuglevel(0)
        if settings.use_tls:
            host.starttls()
        if settings.username and settings.password:
            host.login(settings.username, settings.password)
        return host

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # QUIT on a connection the server already dropped raises; the batch is over either way.
        try:
            super().__exit__(exc_type, exc_value, tb)  # type: ignore[arg-type]  # hint lacks None
        except (smtplib.SMTPException, OSError):
            if self.host is not None:
                self.host.close()


def mail_configured() -> bool:
    """With no MAIL_SERVER, messages are kept on the Outbox page instead of being sent."""
    return bool((current_app.config.get("MAIL_SERVER") or "").strip())


def connect() -> TimedConnection:
    config = current_app.config
    state = mail.init_mail(config, current_app.debug, current_app.testing)
    return TimedConnection(state, float(config.get("MAIL_TIMEOUT_SECONDS", 30)))


def describe_error(exc: BaseException) -> str:
    """A short, log-safe description of an SMTP or network error."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        parts = [f"{code} {_text(msg)}" for code, msg in exc.recipients.values()]
        return "The mail server refused the address: " + "; ".join(parts)
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"The mail server answered {exc.smtp_code} {_text(exc.smtp_error)}"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"The mail server closed the connection ({exc or 'no reason given'})"
    if isinstance(exc, smtplib.SMTPException):
        return f"The mail server reported a problem: {_text(str(exc))}"
    if isinstance(exc, TimeoutError):
        return "The mail server did not answer in time"
    if isinstance(exc, ConnectionRefusedError):
        return "The mail server refused the connection (is it running?)"
    if isinstance(exc, OSError):
        return f"Could not reach the mail server ({exc.strerror or exc})"
    return f"{type(exc).__name__}: {exc}"


def _text(value: bytes | str) -> str:
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    return " ".join(text.split())[:300]


def is_permanent(exc: BaseException) -> bool:
    """5xx answers about the message or its recipient will not change on retry."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return False  # our sender address or the relay's settings: fixable, so keep retrying
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    return False


def connection_lost(exc: BaseException) -> bool:
    """True when the connection cannot carry the rest of the batch."""
    # Order matters: every SMTPException is also an OSError.
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code == 421
    if isinstance(exc, smtplib.SMTPException):
        return False
    return isinstance(exc, OSError)
