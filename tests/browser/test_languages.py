"""Answering in Welsh and in Arabic on a phone (issue 17): the welcome page offers the round's
languages by their own names, the choice holds on every page, Arabic is laid out right to left
(radio cards, buttons, progress bar), and axe finds nothing on any page in either language."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import func, select

from app.extensions import db
from app.invitations.common import audience_labels
from app.models import OpenLink, SealedSubmission
from app.services import abuse, translations
from app.services.accounts import get_or_create_organisation
from app.services.launch import launch
from app.services.rounds import RoundSettings, create_round
from tests.browser.journey import press
from tests.browser.support import (
    PHONE,
    LiveServer,
    Shots,
    assert_accessible,
    assert_no_horizontal_scroll,
    phone_context,
)

# Each language's words for the buttons and the last heading, as a respondent reads them.
WORDS = {
    "cy": {
        "name": "Cymraeg",
        "start": "Dechrau",
        "next": "Parhau",
        "send": "Anfon fy atebion",
        "check": "Gwiriwch eich atebion",
        "thanks": "Diolch",
        "dir": "ltr",
    },
    "ar": {
        "name": "العربية",
        "start": "ابدأ",
        "next": "متابعة",
        "send": "أرسل إجاباتي",
        "check": "راجع إجاباتك",
        "thanks": "شكرًا لك",
        "dir": "rtl",
    },
}


@pytest.fixture(scope="module")
def open_link(live_server: LiveServer) -> str:
    app = live_server.app
    today = datetime.now(UTC).date()
    with app.app_context():
        org = get_or_create_organisation("Cyngor Languages")
        rnd = create_round(
            org,
            RoundSettings(
                name="Languages round",
                framework_id="hmie-children-services",
                indicator_ids=["5.1"],
                audiences=["staff"],
                opens_on=today,
                closes_on=today + timedelta(days=21),
                threshold=3,
                free_text=True,
                role_question=True,
                languages=["en", "cy", "ar"],
            ),
        )
        # The questionnaire's own words in both languages (as the translation workbook does).
        every = translations.parts(rnd, audience_labels(rnd))
        translations.store(
            rnd,
            {
                (p.audience, p.kind, p.key, c): f"{c.upper()}: {p.english}"
                for p in every
                for c in WORDS
            },
        )
        launch(rnd, secret=app.config["SECRET_KEY"], labels=audience_labels(rnd), today=today)
        db.session.commit()
        code = db.session.execute(
            select(OpenLink.code).where(OpenLink.round_id == rnd.id)
        ).scalar_one()
    return f"{live_server.url}/o/{code}"


@pytest.fixture
def phone(browser: Browser, monkeypatch: pytest.MonkeyPatch) -> Iterator[Page]:
    monkeypatch.setattr(abuse, "SECONDS_PER_QUESTION", 0.0)  # nobody is too quick here
    monkeypatch.setattr(abuse, "MAX_MINIMUM_SECONDS", 0.0)
    context = phone_context(browser, viewport=PHONE)
    yield context.new_page()
    context.close()


def _check(page: Page, shots: Shots, code: str, step: str) -> None:
    html = page.locator("html")
    expect(html).to_have_attribute("lang", code)
    expect(html).to_have_attribute("dir", WORDS[code]["dir"])
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    shots(page, f"{code} {step}")


def _mirrored(page: Page) -> None:
    """Right to left: the radio sits at the card's right, the main button right of Back,
    and the progress bar runs from the right."""
    card = page.locator("#survey .opt").first
    radio, label = card.locator("input").bounding_box(), card.locator("label").bounding_box()
    assert radio and label and radio["x"] > label["x"] + label["width"] / 2
    main = page.locator("#survey .nav .btn").first.bounding_box()
    back = page.locator("#survey .nav .btn.sec").bounding_box()
    assert main and back and main["x"] > back["x"]
    assert page.locator("progress").evaluate("el => getComputedStyle(el).direction") == "rtl"


@pytest.mark.parametrize("code", ["cy", "ar"])
def test_answering_in_welsh_and_in_arabic(
    phone: Page, open_link: str, live_server: LiveServer, shots: Shots, code: str
) -> None:
    words = WORDS[code]
    phone.goto(open_link)
    expect(phone.locator("html")).to_have_attribute("lang", "en-GB")
    phone.get_by_role("navigation", name="Language").get_by_role("link", name=words["name"]).click()
    _check(phone, shots, code, "welcome")
    press(phone, words["start"])
    pages = 0
    while not phone.get_by_role("heading", name=words["thanks"], exact=True).count():
        _check(phone, shots, code, f"page {pages + 1}")
        if phone.locator("#survey .qn").count():  # the statements are translated too
            expect(phone.locator("#survey legend").first).to_contain_text(f"{code.upper()}: ")
        if code == "ar" and phone.locator("#survey .opt").count():
            _mirrored(phone)
        for group in phone.locator("#survey .q fieldset").all():
            group.locator(".opt label").first.click()
        last = phone.get_by_role("button", name=words["send"], exact=True).count() > 0
        if last:  # the check page, in the language
            expect(phone.get_by_role("heading", name=words["check"], level=1)).to_be_visible()
        press(phone, words["send"] if last else words["next"])
        pages += 1
        assert pages < 20, "the survey never ended"
    _check(phone, shots, code, "thank you")
    with live_server.app.app_context():
        assert db.session.execute(select(func.count()).select_from(SealedSubmission)).scalar()
