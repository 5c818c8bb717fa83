"""Age bands on a small phone (issue 20): a child opens the round's shared children's link,
reads the band choice (radios that work without JavaScript), chooses their band and answers
that band's questionnaire; axe finds nothing on the welcome page with the band choice, its
error state, or any page after it. Offline, Back from the first page shows the band's own
welcome page the phone kept, and its Start goes on with the answers on the phone."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from app.extensions import db
from app.invitations.common import audience_labels
from app.models import OpenLink, SealedSubmission
from app.services import abuse
from app.services.accounts import get_or_create_organisation
from app.services.launch import launch
from app.services.rounds import RoundSettings, create_round
from tests.browser.journey import answer_questions, answer_to_the_end, next_button, press
from tests.browser.support import (
    SMALL_PHONE,
    LiveServer,
    Shots,
    assert_accessible,
    assert_no_horizontal_scroll,
    heading,
    phone_context,
)


@pytest.fixture(scope="module")
def shared_link(live_server: LiveServer) -> str:
    """The shared children's link of a round asking all three age bands."""
    app = live_server.app
    today = datetime.now(UTC).date()
    with app.app_context():
        org = get_or_create_organisation("Age Bands Council")
        rnd = create_round(
            org,
            RoundSettings(
                name="Age bands round",
                framework_id="hmie-children-services",
                indicator_ids=["2.1"],
                audiences=["children"],
                opens_on=today,
                closes_on=today + timedelta(days=21),
                threshold=3,
                free_text=True,
                children_bands=["under_8", "8_to_12", "13_plus"],
            ),
        )
        launch(rnd, secret=app.config["SECRET_KEY"], labels=audience_labels(rnd), today=today)
        db.session.commit()
        code = db.session.execute(
            select(OpenLink.code).where(
                OpenLink.round_id == rnd.id, OpenLink.audience == "children"
            )
        ).scalar_one()
    return f"{live_server.url}/o/{code}"


@pytest.fixture(params=[True, False], ids=["javascript", "no-javascript"])
def small_phone(
    request: pytest.FixtureRequest, browser: Browser, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Page]:
    monkeypatch.setattr(abuse, "SECONDS_PER_QUESTION", 0.0)
    monkeypatch.setattr(abuse, "MAX_MINIMUM_SECONDS", 0.0)
    context = phone_context(browser, viewport=SMALL_PHONE, javascript=request.param)
    yield context.new_page()
    context.close()


def _check(page: Page, shots: Shots, step: str) -> None:
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    shots(page, f"age bands {step}")


@pytest.mark.parametrize(
    ("choice", "audience", "faces"),
    [
        ("I am under 8", "children_under_8", True),
        ("I am 8, 9, 10, 11 or 12", "children_8_to_12", True),
        ("I am 13 or older", "children_13_plus", False),
    ],
)
def test_a_child_chooses_their_age_band_and_answers_its_questions(
    small_phone: Page,
    shared_link: str,
    live_server: LiveServer,
    shots: Shots,
    choice: str,
    audience: str,
    faces: bool,
) -> None:
    page = small_phone
    page.goto(shared_link)
    expect(heading(page, "Children and young people survey", level=1)).to_be_visible()
    group = page.get_by_role("group", name="How old are you?")
    expect(group.get_by_role("radio")).to_have_count(3)
    expect(page.get_by_role("button", name="Start")).to_have_count(0)
    _check(page, shots, "choice")
    press(page, "Next")  # nothing chosen: the error summary, focus on it
    expect(page.get_by_role("alert")).to_contain_text("Choose how old you are.")
    _check(page, shots, "choice error")
    page.get_by_role("alert").get_by_role("link", name="Choose how old you are.").click()
    expect(page.get_by_role("radio", name="I am under 8")).to_be_focused()
    page.get_by_label(choice, exact=True).check()
    press(page, "Next")
    expect(page.get_by_role("button", name="Start")).to_be_visible()
    expect(page.get_by_role("link", name="Not your age? Choose again")).to_be_visible()
    read_aloud = audience == "children_under_8"
    expect(page.get_by_text("A grown-up can read this with you.")).to_have_count(
        1 if read_aloud else 0
    )
    if read_aloud:
        expect(page.locator("body")).to_have_class("r easy read-aloud")
    _check(page, shots, f"{audience} welcome")
    press(page, "Start")
    expect(page.locator("#survey svg.face")).to_have_count(3 if faces else 0)
    _check(page, shots, f"{audience} first page")
    answer_to_the_end(page, "Yes, mostly" if faces else "Agree")
    expect(heading(page, "Thank you", level=1)).to_be_visible()
    with live_server.app.app_context():
        sealed = db.session.execute(select(SealedSubmission.audience)).scalars().all()
    assert audience in sealed


def _sealed_as(live_server: LiveServer, audience: str) -> int:
    with live_server.app.app_context():
        sealed = db.session.execute(select(SealedSubmission.audience)).scalars().all()
        db.session.remove()
    return sealed.count(audience)


def _kept_page_ready(page: Page, address: str) -> None:
    """A page the phone kept, shown offline, once its offline script has set it up."""
    page.wait_for_url(re.compile(address))
    page.wait_for_function(
        "() => document.documentElement.hasAttribute('data-offline-ready')", timeout=15000
    )


def test_offline_back_from_the_first_page_shows_the_bands_own_welcome_page(
    browser: Browser, shared_link: str, live_server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(abuse, "SECONDS_PER_QUESTION", 0.0)
    monkeypatch.setattr(abuse, "MAX_MINIMUM_SECONDS", 0.0)
    before = _sealed_as(live_server, "children_under_8")
    context = phone_context(browser, viewport=SMALL_PHONE)
    page = context.new_page()
    page.goto(shared_link)
    page.get_by_label("I am under 8", exact=True).check()
    press(page, "Next")
    press(page, "Start")
    _kept_page_ready(page, r"/page/1$")  # the phone now keeps the band's pages
    answer_questions(page, "Yes, mostly")
    context.set_offline(True)
    press(page, "Back")
    _kept_page_ready(page, r"/q/[0-9a-f-]+\?offline=1$")
    # The band's own welcome page, as online after the choice: its words, read aloud.
    expect(heading(page, "Children under 8 survey", level=1)).to_be_visible()
    expect(page.get_by_text("A grown-up can read this with you.")).to_have_count(1)
    expect(page.locator("body")).to_have_class("r easy read-aloud")
    expect(page.get_by_role("group", name="How old are you?")).to_have_count(0)
    # Choosing again needs the network (this phone holds its own band only): not offered.
    expect(page.get_by_role("link", name="Not your age? Choose again")).to_have_count(0)
    assert_accessible(page)
    press(page, "Start")
    _kept_page_ready(page, r"/page/1\?offline=1$")
    expect(page.locator("#survey input:checked").first).to_be_checked()  # kept on the phone
    for _ in range(20):
        if page.get_by_role("button", name="Send my answers").count():
            break
        answer_questions(page, "Yes, mostly")
        press(page, next_button(page))
        _kept_page_ready(page, r"(/page/\d+|/check)\?offline=1$")
    page.get_by_role("button", name="Send my answers", exact=True).click()  # waits here
    expect(page.get_by_text("You are offline.", exact=False).first).to_be_visible()
    context.set_offline(False)
    page.wait_for_url(re.compile(r"/thanks$"), timeout=15000)
    assert _sealed_as(live_server, "children_under_8") == before + 1  # as the band chosen
    context.close()
