"""Invitations in the contact's language; bilingual, Welsh first, where a round offers Welsh."""

from __future__ import annotations

import uuid
from datetime import date

from flask import Flask

from app.mail.render import MailContext, build_message, mail_languages
from app.models import MessageKind


def _ctx(*languages: str) -> MailContext:
    return MailContext(
        org_name="Glan Ysgol",
        round_name="Spring feedback",
        about="family support",
        audience_label="Parents and carers",
        audience_phrase="parents and carers",
        minutes=6,
        closes_on=date(2027, 3, 1),
        threshold=5,
        languages=languages,
    )


def test_which_languages_an_email_is_written_in() -> None:
    assert mail_languages(_ctx("en", "ar"), "ar") == ("ar",)
    assert mail_languages(_ctx("en", "ar"), None) == ("en",)
    assert mail_languages(_ctx("en"), "ar") == ("en",)  # not offered: the round's default
    assert mail_languages(_ctx("en", "cy"), "en") == ("cy", "en")
    assert mail_languages(_ctx("cy", "en"), "ar") == ("cy", "en")


def test_an_invitation_in_the_contacts_language(app: Flask) -> None:
    with app.app_context():
        message = build_message(
            MessageKind.INVITATION, _ctx("en", "ar"), uuid.uuid4(), "", "a@x.example", None, "ar"
        )
    assert message.subject == "تود Glan Ysgol معرفة رأيك: Spring feedback"
    assert "الآباء ومقدمي الرعاية" in message.body and "مرحبًا،" in message.body
    assert "Hello" not in message.body and "March" not in message.body
    assert '<html lang="ar" dir="rtl">' in message.html
    assert "شارك برأيك" in message.html


def test_a_welsh_round_sends_bilingual_email_welsh_first(app: Flask) -> None:
    with app.app_context():
        message = build_message(
            MessageKind.REMINDER, _ctx("en", "cy"), uuid.uuid4(), "Siân", "s@x.example", None, "en"
        )
    subject_cy, subject_en = message.subject.split(" / ")
    assert subject_cy.startswith("Nodyn atgoffa: hoffai Glan Ysgol gael eich barn erbyn")
    assert "Mawrth 2027" in subject_cy and subject_en.endswith("1 March 2027")
    body = message.body
    assert body.index("Annwyl Siân,") < body.index("Dear Siân,")
    html = message.html
    assert html.index('lang="cy"') < html.index('lang="en-GB"')
    assert html.count("<!doctype html>") == 1
    assert "Rhowch eich barn" in html and "Give your views" in html


def test_an_english_round_is_unchanged(app: Flask) -> None:
    with app.app_context():
        message = build_message(
            MessageKind.INVITATION, _ctx("en"), uuid.uuid4(), "", "a@x.example", None, "cy"
        )
    assert message.subject == "Glan Ysgol would like your views: Spring feedback"
    assert message.body.startswith("Hello,")
    assert '<html lang="en-GB" dir="ltr">' in message.html
