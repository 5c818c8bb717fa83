"""Easy read for adults on a small phone (issue 17): people who use the service answer short
statements one per page with the faces, at 320 px, in English or Welsh, and axe finds nothing
on any page."""

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
    SMALL_PHONE,
    LiveServer,
    Shots,
    assert_accessible,
    assert_no_horizontal_scroll,
    phone_context,
)


@pytest.fixture(scope="module")
def easy_link(live_server: LiveServer) -> tuple[str, list[str]]:
    """An open link for service users asked in easy read, and the statements they see."""
    app = live_server.app
    today = datetime.now(UTC).date()
    with app.app_context():
        org = get_or_create_organisation("Easy Read Council")
        rnd = create_round(
            org,
            RoundSettings(
                name="Easy read round",
                framework_id="derwent-interagency",
                indicator_ids=["communicate-2.1"],
                audiences=["service_users"],
                opens_on=today,
                closes_on=today + timedelta(days=21),
                threshold=3,
                free_text=True,
                easy_read_audiences=["service_users"],
                languages=["en", "cy"],
            ),
        )
        every = translations.parts(rnd, audience_labels(rnd))
        translations.store(
            rnd, {(p.audience, p.kind, p.key, "cy"): f"CY: {p.english}" for p in every}
        )
        (q,) = rnd.questionnaires
        statements = [i.statement for i in sorted(q.items, key=lambda i: i.position)]
        launch(rnd, secret=app.config["SECRET_KEY"], labels=audience_labels(rnd), today=today)
        db.session.commit()
        code = db.session.execute(
            select(OpenLink.code).where(OpenLink.round_id == rnd.id)
        ).scalar_one()
    return f"{live_server.url}/o/{code}", statements


@pytest.fixture
def small_phone(browser: Browser, monkeypatch: pytest.MonkeyPatch) -> Iterator[Page]:
    monkeypatch.setattr(abuse, "SECONDS_PER_QUESTION", 0.0)
    monkeypatch.setattr(abuse, "MAX_MINIMUM_SECONDS", 0.0)
    context = phone_context(browser, viewport=SMALL_PHONE)
    yield context.new_page()
    context.close()


# The words a respondent reads, in each language: the catalogs' own translations.
WORDS = {
    "en": {
        "start": "Start",
        "next": "Next",
        "send": "Send my answers",
        "thanks": "Thank you",
        "done": "You are nearly done",
    },
    "cy": {
        "start": "Dechrau",
        "next": "Nesaf",
        "send": "Anfon fy atebion",
        "thanks": "Diolch",
        "done": "Rydych bron â gorffen",
    },
}
HAPPY = {"en": "Yes, mostly", "cy": "Ydy, fel arfer"}


@pytest.mark.parametrize("code", ["en", "cy"])
def test_a_service_user_answers_in_easy_read_on_a_small_phone(
    small_phone: Page,
    easy_link: tuple[str, list[str]],
    live_server: LiveServer,
    shots: Shots,
    code: str,
) -> None:
    link, statements = easy_link
    words = WORDS[code]
    assert statements and all(len(s.split()) <= 15 for s in statements)
    page = small_phone
    page.goto(link)
    if code == "cy":
        page.get_by_role("navigation", name="Language").get_by_role("link", name="Cymraeg").click()
        statements = [f"CY: {s}" for s in statements]
    expect(page.locator("html")).to_have_attribute("lang", "en-GB" if code == "en" else code)
    expect(page.locator("body")).to_have_class("r easy")
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    shots(page, f"easy read {code} welcome")
    press(page, words["start"])
    seen: list[str] = []
    steps = 0
    while not page.get_by_role("heading", name=words["thanks"], exact=True).count():
        assert_no_horizontal_scroll(page)
        assert_accessible(page)
        shots(page, f"easy read {code} page {steps + 1}")
        questions = page.locator("#survey .q fieldset")
        assert questions.count() <= 1  # one question per page
        if questions.count():
            seen.append(page.locator("#survey h1").inner_text().strip())
            expect(page.locator("#survey .opt svg.face")).to_have_count(3)  # the faces scale
            expect(page.locator("#survey .opt label").first).to_contain_text(HAPPY[code])
            questions.first.locator(".opt label").first.click()
        last = page.get_by_role("button", name=words["send"], exact=True).count() > 0
        if last:  # "You are nearly done": each answer as its face and words, in the language
            expect(page.get_by_role("heading", name=words["done"], level=1)).to_be_visible()
            expect(page.locator("#survey .ck-a svg.face").first).to_be_visible()
            expect(page.locator("#survey .ck-a").first).to_contain_text(HAPPY[code])
        press(page, words["send"] if last else words["next"])
        steps += 1
        assert steps < 20, "the survey never ended"
    assert_accessible(page)
    assert seen == statements
    with live_server.app.app_context():
        assert db.session.execute(select(func.count()).select_from(SealedSubmission)).scalar()
