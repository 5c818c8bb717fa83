"""Fixtures for the invitation tests: a real SMTP server on loopback, wired into the app."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from tests.smtp import LOOPBACK, SmtpServer


@pytest.fixture
def smtp(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    """An aiosmtpd server on a free loopback port; the app sends to it (not suppressed)."""
    server = SmtpServer().start()
    settings = {
        "MAIL_SERVER": LOOPBACK,
        "MAIL_PORT": server.port,
        "MAIL_USE_TLS": False,
        "MAIL_USE_SSL": False,
        "MAIL_USERNAME": None,
        "MAIL_PASSWORD": None,
        "MAIL_SUPPRESS_SEND": False,
        "MAIL_TIMEOUT_SECONDS": 5,
        "MAIL_DEFAULT_SENDER": "feedback@chorus.example",
    }
    for key, value in settings.items():
        monkeypatch.setitem(app.config, key, value)
    yield server
    server.stop()


@pytest.fixture
def no_smtp(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """The embedded default: no mail server, messages kept on the Outbox page."""
    monkeypatch.setitem(app.config, "MAIL_SERVER", "")
