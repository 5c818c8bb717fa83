"""Invitation and reminder emails as accessible documents (issue 23): a plain-text part beside
the HTML one saying the same things, the language declared, a real heading, link text that
makes sense alone, and no meaning carried by colour or images. Sent through a real SMTP server."""

from __future__ import annotations

import re
from datetime import timedelta
from email.message import EmailMessage
from html.parser import HTMLParser

from flask import Flask
from sqlalchemy import update

from app.extensions import db
from app.models import FeedbackRound, Invitation
from app.services import reminders
from tests.app.invitations.builders import launched_round, today, work
from tests.smtp import SmtpServer, html_part, text_part


class _Html(HTMLParser):
    def __init__(self, html: str):
        super().__init__()
        self.lang: str | None = None
        self.headings: list[str] = []
        self.links: list[str] = []
        self.images = 0
        self._in: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "html":
            self.lang = dict(attrs).get("lang")
        if tag in {"h1", "h2", "a"}:
            self._in = tag
            (self.headings if tag != "a" else self.links).append("")
        if tag == "img":
            self.images += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in:
            target = self.links if self._in == "a" else self.headings
            target[-1] += data


def _check(message: EmailMessage) -> None:
    (alternative,) = [p for p in message.walk() if p.get_content_type() == "multipart/alternative"]
    kinds = [part.get_content_type() for part in alternative.iter_parts()]
    assert kinds == ["text/plain", "text/html"], kinds  # plain first: the fallback
    assert message["Content-Language"] == "en-GB"
    text, html = text_part(message), html_part(message)
    page = _Html(html)
    assert page.lang == "en-GB"
    assert len(page.headings) == 1, page.headings
    assert page.headings[0].strip(), "the email's heading is empty"
    assert page.images == 0  # nothing is said only by a picture
    for link in page.links:  # words that make sense on their own (or the address to copy)
        words = link.strip()
        assert words.startswith("http") or len(words.split()) >= 2, link
        assert "click here" not in words.lower(), link
    # The plain-text part says what the HTML part says: the same links and the same sentences.
    links = set(re.findall(r"https?://[^\s\"<>]+", html))
    assert links and links <= set(re.findall(r"https?://\S+", text)), (links, text)
    for sentence in ("minute", "anonymous", "until"):
        assert sentence in text.lower() and sentence in html.lower()


def test_invitations_and_reminders_are_accessible_documents(app: Flask, smtp: SmtpServer) -> None:
    round_id = launched_round(app, {"parents": 1})
    work(app)
    (invitation,) = smtp.wait_for(1)
    _check(invitation)
    assert _Html(html_part(invitation)).headings[0] in invitation["Subject"]
    smtp.handler.clear()
    with app.app_context():
        db.session.execute(
            update(Invitation)
            .where(Invitation.round_id == round_id)
            .values(last_messaged_on=today() - timedelta(days=7))
        )
        rnd = db.session.get(FeedbackRound, round_id)
        assert reminders.queue_reminders(rnd, today()) == 1
        db.session.commit()
    work(app)
    (reminder,) = smtp.wait_for(1)
    assert reminder["Subject"].startswith("Reminder:")
    _check(reminder)
    assert _Html(html_part(reminder)).headings[0].startswith("Reminder:")
