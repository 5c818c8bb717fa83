"""Steps a respondent takes on the survey pages, shared by the journey and audit modules."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Locator, Page, expect

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


def press(page: Page, name: str) -> None:
    """Press a survey button and wait for the next page, swapped in place or loaded."""
    before = page.locator("#survey").inner_text()
    page.get_by_role("button", name=name, exact=True).click()
    expect(page.locator("#survey")).not_to_have_text(before)


def on_survey_page(page: Page) -> str:
    """'welcome', 'questions', 'comments', 'about you', 'thanks' or 'other'."""
    survey = page.locator("#survey")
    if survey.get_by_role("heading", name="Thank you", exact=True).count():
        return "thanks"
    if survey.get_by_role("button", name=re.compile("^(Start|Carry on)$")).count():
        return "welcome"
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
    """From the current page, answer everything with `answer` and send; returns pages passed."""
    pages = 0
    for _ in range(50):  # a questionnaire has far fewer pages; a loop here is a bug
        kind = on_survey_page(page)
        if each_page:
            each_page(page, kind)
        if kind == "thanks":
            return pages
        if kind == "welcome":
            press(page, page.get_by_role("button", name=re.compile("^(Start|Carry on)$")).inner_text())
            continue
        if kind == "questions":
            answer_questions(page, answer)
        elif kind == "about you":
            answer_role(page)
        elif kind != "comments":
            raise AssertionError(f"unexpected page {page.url}:\n{page.locator('main').inner_text()}")
        last = page.get_by_role("button", name="Send my answers").count() > 0
        press(page, "Send my answers" if last else next_button(page))
        pages += 1
    raise AssertionError("the survey never ended")


def next_button(page: Page) -> str:
    return "Next" if page.get_by_role("button", name="Next", exact=True).count() else "Continue"
