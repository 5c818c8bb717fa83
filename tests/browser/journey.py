"""Steps a respondent takes on the survey pages, shared by the journey and audit modules."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from playwright.sync_api import ElementHandle, Locator, Page
from playwright.sync_api import Error as PlaywrightError

# The agree4 answers as respondents read them; favourable ones count towards percent favourable.
FAVOURABLE = {"Strongly agree", "Agree"}
PREFER_NOT_TO_SAY = "Prefer not to say"


def questions(page: Page) -> list[Locator]:
    """The statement questions on the page (the role question is answered separately)."""
    return [
        group
        for group in page.locator("#survey .q fieldset").all()
        if not group.get_by_label(PREFER_NOT_TO_SAY, exact=True).count()
    ]


def answer_questions(page: Page, answer: str) -> int:
    """Tick `answer` for every statement on the page; returns how many were answered."""
    groups = questions(page)
    for group in groups:
        group.get_by_label(answer, exact=True).check()
    return len(groups)


def answer_role(page: Page, option: str = PREFER_NOT_TO_SAY) -> None:
    page.get_by_role("group", name=re.compile("How old is|Which best describes")).get_by_label(
        option, exact=True
    ).check()


def press(page: Page, name: str, timeout_s: float = 10.0) -> None:
    """Press a survey button and wait until the page it leads to is in place.

    With JavaScript, HTMX swaps the survey in place; without, the browser loads a new page.
    Either way the pressed button leaves the document; then no HTMX swap may be settling
    (respond.js scrolls and moves focus as a swap settles, which would upset the next click).
    Polled from here, because Chromium runs no page timers when JavaScript is off.
    """
    button = page.get_by_role("button", name=name, exact=True)
    handle = button.element_handle()
    button.click()
    deadline = time.monotonic() + timeout_s
    while _attached(handle):
        if time.monotonic() > deadline:
            raise AssertionError(f"pressing {name!r} on {page.url} led nowhere")
        page.wait_for_timeout(20)
    page.wait_for_load_state("domcontentloaded")
    while page.evaluate(_BUSY):
        if time.monotonic() > deadline:
            raise AssertionError(f"the page after {name!r} never settled")
        page.wait_for_timeout(20)


_BUSY = "!!document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"


def _attached(handle: ElementHandle) -> bool:
    try:
        return bool(handle.evaluate("el => el.isConnected"))
    except PlaywrightError:  # the document it belonged to has gone: a new page loaded
        return False


CHECK_HEADINGS = re.compile("^(Check your answers|You are nearly done)$")


def on_check_page(page: Page) -> bool:
    """The check page before Send ("You are nearly done" in easy read)."""
    return bool(page.locator("#survey").get_by_role("heading", name=CHECK_HEADINGS).count())


def on_survey_page(page: Page, timeout_s: float = 5.0) -> str:
    """'welcome', 'questions', 'comments', 'about you', 'check', 'thanks' or 'other' (after waiting
    `timeout_s` for a page it knows: an HTMX swap may still be settling)."""
    deadline = time.monotonic() + timeout_s
    while True:
        kind = _page_kind(page)
        if kind != "other" or time.monotonic() > deadline:
            return kind
        page.wait_for_timeout(50)


def _page_kind(page: Page) -> str:
    survey = page.locator("#survey")
    if survey.get_by_role("heading", name="Thank you", exact=True).count():
        return "thanks"
    if survey.get_by_role("button", name=re.compile("^(Start|Carry on)$")).count():
        return "welcome"
    if on_check_page(page):
        return "check"
    if page.get_by_role("group", name=re.compile("How old is|Which best describes")).count():
        return "about you"
    if questions(page):
        return "questions"
    if survey.locator("textarea").count():
        return "comments"
    return "other"


def answer_to_the_end(
    page: Page, answer: str, *, each_page: Callable[[Page, str], None] | None = None
) -> int:
    """From the current page, answer everything with `answer`, go on to the check page and
    send from there; returns pages passed (the check page among them)."""
    pages = 0
    for _ in range(50):  # a questionnaire has far fewer pages; a loop here is a bug
        kind = on_survey_page(page)
        if each_page:
            each_page(page, kind)
        if kind == "thanks":
            return pages
        if kind == "welcome":
            press(
                page, page.get_by_role("button", name=re.compile("^(Start|Carry on)$")).inner_text()
            )
            continue
        if kind == "questions":
            answer_questions(page, answer)
        elif kind == "about you":
            answer_role(page)
        elif kind not in ("comments", "check"):
            raise AssertionError(
                f"unexpected page {page.url}:\n{page.locator('main').inner_text()}"
            )
        last = page.get_by_role("button", name="Send my answers").count() > 0
        press(page, "Send my answers" if last else next_button(page))
        pages += 1
    raise AssertionError("the survey never ended")


def next_button(page: Page) -> str:
    return "Next" if page.get_by_role("button", name="Next", exact=True).count() else "Continue"
