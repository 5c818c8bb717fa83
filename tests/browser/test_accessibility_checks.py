"""The scripted accessibility audit (issue 23): what axe cannot check, on every respondent page
state and the main staff pages, written to build/accessibility-audit.json for the statement.

One walk (the `audit` fixture) visits each state once, in one phone tab 320 pixels wide for
respondents and one desktop tab for staff, and on each runs axe, the focus-indicator contrast
measurement, the reflow and text-spacing checks and, on some, forced colours; a separate phone
answers a whole questionnaire with the keyboard alone. The tests below read what the walk found,
and the last holds docs/accessibility.yaml against this run: the statement may not claim more
than the audit shows.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from playwright.sync_api import Error as PlaywrightError
from pypdf import PdfReader

from app.accessibility import contradictions, load_statement
from app.cli.demo import DEMO_EMAIL
from app.services import abuse
from tests.browser import test_accessibility as axe_audit
from tests.browser.a11y_checks import focus_contrast, forced_colours, text_spacing
from tests.browser.journey import answer_questions, answer_role, press
from tests.browser.support import (
    ACTION_TIMEOUT_MS,
    DESKTOP,
    SMALL_PHONE,
    LiveServer,
    assert_accessible,
    horizontal_overflow,
    sign_in,
    too_wide,
)

OUTPUT = Path(__file__).resolve().parents[2] / "build" / "accessibility-audit.json"

# The demo and the rounds the axe audit uses, made afresh for this module.
world = axe_audit.world
coordinator = axe_audit.coordinator
invitation_links = axe_audit.invitation_links
PARENTS = axe_audit.PARENTS

CHECKS = {
    "axe": (
        "Automated rules (axe-core, every impact)",
        ["1.1.1", "1.3.1", "1.4.3", "2.4.2", "3.1.1", "4.1.2"],
    ),
    "focus_contrast": ("Focus indicator contrast", ["1.4.11", "2.4.7"]),
    "keyboard": ("Keyboard only", ["2.1.1"]),
    "reflow": ("Reflow at 320 pixels", ["1.4.10"]),
    "text_spacing": ("Text spacing", ["1.4.12"]),
    "forced_colours": ("Forced colours", ["1.4.11", "1.4.1"]),
}

STAFF_PAGES = {
    "home",
    "rounds",
    "new round",
    "round draft",
    "audiences",
    "questionnaire editor",
    "preview",
    "contacts",
    "round live",
    "dashboard",
    "invitations",
    "open links",
    "poster",
    "results overview",
    "indicator results",
    "compare rounds",
    "downloads",
    "paper",
    "assessment overview",
    "ratings",
    "evidence",
    "sat and stakeholders",
    "existing feedback",
    "external import to confirm",
}


class Audit:
    def __init__(self) -> None:
        self.states: dict[str, set[str]] = {name: set() for name in CHECKS}
        self.elements: dict[str, int] = {name: 0 for name in CHECKS}
        self.failures: dict[str, list[str]] = {name: [] for name in CHECKS}

    def ran(self, check: str, state: str, failures: list[str], elements: int = 0) -> None:
        self.states[check].add(state)
        self.elements[check] += elements
        self.failures[check] += failures

    def record(self, browser: Browser) -> dict[str, Any]:
        return {
            "audited_on": datetime.now(UTC).date().isoformat(),
            "browser": f"Chromium {browser.version.split('.')[0]}",
            "checks": {
                name: {
                    "title": title,
                    "criteria": criteria,
                    "states": sorted(self.states[name]),
                    "elements": self.elements[name],
                    "failures": self.failures[name],
                }
                for name, (title, criteria) in CHECKS.items()
            },
        }


def _context(browser: Browser, viewport: dict[str, int], **extra: Any) -> BrowserContext:
    # bypass_csp: the text-spacing check adds a <style> of its own, as the bookmarklet does.
    context = browser.new_context(viewport=viewport, locale="en-GB", bypass_csp=True, **extra)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    return context


def _axe(page: Page, state: str) -> list[str]:
    try:
        assert_accessible(page)
    except AssertionError as exc:
        return [f"{state}: {exc}"]
    return []


def _every_check(audit: Audit, page: Page, state: str, *, forced: bool = False) -> None:
    audit.ran("axe", state, _axe(page, state))
    overflow = horizontal_overflow(page)
    if page.viewport_size == SMALL_PHONE:
        wide = [f"{state}: scrolls sideways by {overflow}px: {too_wide(page)}"] if overflow else []
        audit.ran("reflow", state, wide)
    audit.ran("text_spacing", state, text_spacing(page, state))
    found = focus_contrast(page, state)
    audit.ran("focus_contrast", state, found.failures, found.elements)
    if forced:
        page.emulate_media(forced_colors="active")
        try:
            audit.ran("forced_colours", state, forced_colours(page, state))
        finally:
            page.emulate_media(forced_colors="none")


def _respondent_walk(
    audit: Audit,
    browser: Browser,
    world: axe_audit.World,
    links: dict[str, tuple[str, str]],
    url: str,
) -> None:
    context = _context(browser, SMALL_PHONE, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        check: Callable[..., None] = lambda state, **kw: _every_check(audit, page, state, **kw)  # noqa: E731
        link = links[PARENTS[0]][0]
        page.goto(link)
        check("welcome")
        press(page, "Start")
        check("section 1")
        press(page, "Continue")
        expect(page.locator(".es")).to_be_focused()
        check("section error summary")
        answer_questions(page, "Agree")
        page.get_by_label("What could be better?").first.fill("x" * 1_001)
        press(page, "Continue")
        check("comment too long", forced=True)
        page.get_by_label("What could be better?").first.fill("More evening appointments.")
        press(page, "Continue")
        answer_questions(page, "Don't know")
        check("section 2 answered", forced=True)
        press(page, "Continue")
        check("about you")
        press(page, "Continue")
        check("about you error")
        answer_role(page)
        press(page, "Save and continue later")
        expect(page.get_by_role("heading", name="Your answers are saved")).to_be_visible()
        check("saved")
        page.goto(link)
        check("welcome back")
        press(page, "Carry on")  # every question answered: straight to the check page
        expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
        check("check your answers", forced=True)
        page.locator("#survey .sl-a a").first.click()
        expect(page.get_by_text("Section 1 of 3")).to_be_visible()
        check("changing an answer")
        press(page, "Continue")
        expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
        press(page, "Send my answers")
        expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
        check("thank you")
        page.goto(link)
        check("link already used")
        page.goto(links[PARENTS[3]][1])
        check("opt out")
        page.get_by_role("button").first.click()
        check("opted out")

        # A child by the open link: the easy-read pages with faces.
        context.clear_cookies()
        page.goto(world.open_links[(world.live_id, "children")])
        check("age band choice")
        page.get_by_label("I am 8, 9, 10, 11 or 12", exact=True).check()
        press(page, "Next")
        check("easy read welcome")
        press(page, "Start")
        check("easy read question")
        press(page, "Next")
        check("easy read error", forced=True)
        answer_questions(page, "Sometimes")
        check("easy read face chosen", forced=True)
        while not page.get_by_role("heading", name="Tell us more").count():
            answer_questions(page, "Sometimes")
            press(page, "Next")
        check("easy read tell us more")
        while not page.get_by_role("button", name="Send my answers").count():
            if page.locator("#survey .q").count():
                answer_questions(page, "No, not really")
            press(page, "Next")
        expect(page.get_by_role("heading", name="You are nearly done")).to_be_visible()
        check("easy read nearly done", forced=True)
        press(page, "Send my answers")
        check("easy read thank you")
        for state, target in (
            ("round closed", world.open_links[(world.closed_early_id, "parents")]),
            ("not open yet", world.open_links[(world.future_id, "parents")]),
            ("unknown open link", f"{url}/o/NOSUCHCODE"),
            ("accessibility statement (phone)", f"{url}/accessibility"),
        ):
            page.goto(target)
            check(state)
    finally:
        context.close()


def _keyboard_only(audit: Audit, browser: Browser, link: str) -> None:
    """Answer a whole questionnaire without a pointer: Tab to each question, an arrow key to
    choose (a radio group is one tab stop), Enter on the button."""
    context = _context(browser, SMALL_PHONE, is_mobile=True, has_touch=True)
    failures: list[str] = []
    pages: list[str] = []
    try:
        page = context.new_page()
        page.goto(link)
        for _ in range(20):
            heading = page.get_by_role("heading", level=1).first.inner_text().strip()
            pages.append(heading)
            if heading == "Thank you":
                break
            answered: set[str] = set()
            for _ in range(80):
                page.keyboard.press("Tab")
                el = page.evaluate(
                    "() => { const e = document.activeElement; return {tag: e.tagName, "
                    "type: e.type || '', name: e.name || '', text: (e.innerText || '').trim()} }"
                )
                if el["type"] == "radio" and el["name"] not in answered:
                    page.keyboard.press("ArrowDown")
                    answered.add(el["name"])
                if el["tag"] == "BUTTON" and el["text"] in {
                    "Start",
                    "Continue",
                    "Next",
                    "Send my answers",
                    "Carry on",
                }:
                    before = page.url, heading
                    page.keyboard.press("Enter")
                    deadline = time.monotonic() + 10
                    while (page.url, _h1(page)) == before and time.monotonic() < deadline:
                        page.wait_for_timeout(50)
                    break
            else:
                failures.append(f"keyboard: no way on from {heading!r} with the Tab key")
                break
            unanswered = page.evaluate(
                "() => [...document.querySelectorAll('#survey fieldset')].filter(f => "
                "f.querySelector('input[type=radio]') && !f.querySelector('input:checked')).length"
            )
            if page.locator(".es").count():
                failures.append(
                    f"keyboard: {heading!r} refused the answers ({unanswered} unanswered)"
                )
                break
        else:
            failures.append("keyboard: the questionnaire never ended")
        if pages[-1:] != ["Thank you"]:
            failures.append(f"keyboard: ended on {pages[-1:]} after {pages}")
    finally:
        context.close()
    audit.ran("keyboard", "keyboard-only questionnaire", failures)
    for heading in pages:
        audit.states["keyboard"].add(f"keyboard: {heading}")


def _h1(page: Page) -> str:
    try:
        return page.get_by_role("heading", level=1).first.inner_text(timeout=1000).strip()
    except PlaywrightError:  # mid-swap: no heading for a moment
        return ""


def _staff_walk(audit: Audit, browser: Browser, server: LiveServer, world: axe_audit.World) -> None:
    context = _context(browser, DESKTOP)
    narrow = _context(browser, SMALL_PHONE)
    try:
        page = context.new_page()
        phone = narrow.new_page()
        sign_in(page, server, DEMO_EMAIL)
        sign_in(phone, server, DEMO_EMAIL)
        for name, path in axe_audit.COORDINATOR_PAGES:
            if name not in STAFF_PAGES:
                continue
            state = f"staff: {name}"
            page.goto(server.url + path(world))
            audit.ran("axe", state, _axe(page, state))
            found = focus_contrast(page, state)
            audit.ran("focus_contrast", state, found.failures, found.elements)
            if name in {"indicator results", "round live", "ratings"}:
                page.emulate_media(forced_colors="active")
                audit.ran("forced_colours", state, forced_colours(page, state))
                page.emulate_media(forced_colors="none")
            phone.goto(server.url + path(world))
            overflow = horizontal_overflow(phone)
            audit.ran("reflow", state, [f"{state}: {overflow}px too wide"] if overflow else [])
            audit.ran("text_spacing", state, text_spacing(phone, state))
        # Regions HTMX swaps in: the questionnaire editor's introduction and item forms.
        page.goto(f"{server.url}/rounds/{world.draft_id}/questionnaires/parents")
        page.get_by_role("link", name="Change the introduction").click()
        expect(page.locator("#intro form")).to_be_visible()
        page.locator("a.button.small", has_text="Edit").first.click()
        expect(page.locator("form.item-edit").first).to_be_visible()
        state = "staff: questionnaire editor, forms swapped in"
        found = focus_contrast(page, state)
        audit.ran("focus_contrast", state, found.failures, found.elements)
        audit.ran("axe", state, _axe(page, state))
        # A form sent with mistakes: the error summary and fields in their error state.
        page.goto(f"{server.url}/rounds/new?framework={axe_audit.FRAMEWORK}")
        page.get_by_role("button", name="Create the round", exact=True).click()
        expect(page.locator(".error-summary")).to_be_visible()
        found = focus_contrast(page, "staff: new round with errors")
        audit.ran("focus_contrast", "staff: new round with errors", found.failures, found.elements)
        # A survey file from elsewhere that cannot be read: the upload's error state.
        page.goto(f"{server.url}/assessments/{world.assessment_id}/external")
        page.locator("#file").set_input_files(
            files=[{"name": "bad.csv", "mimeType": "text/csv", "buffer": b"Statement,Size\nx,9\n"}]
        )
        page.get_by_role("button", name="Check the file", exact=True).click()
        expect(page.locator(".error-summary")).to_be_visible()
        state = "staff: existing feedback with errors"
        found = focus_contrast(page, state)
        audit.ran("focus_contrast", state, found.failures, found.elements)
        audit.ran("axe", state, _axe(page, state))
        page.goto(f"{server.url}/accessibility")
        found = focus_contrast(page, "staff: accessibility statement")
        audit.ran(
            "focus_contrast", "staff: accessibility statement", found.failures, found.elements
        )
        audit.ran("axe", "staff: accessibility statement", _axe(page, "statement"))
    finally:
        context.close()
        narrow.close()


@pytest.fixture(scope="module")
def audit(
    browser: Browser,
    live_server: LiveServer,
    world: axe_audit.World,
    invitation_links: dict[str, tuple[str, str]],
) -> Iterator[dict[str, Any]]:
    found = Audit()
    with pytest.MonkeyPatch.context() as patch:
        # A tab walked with the keyboard is faster than a child reads: no "too quick" check.
        patch.setattr(abuse, "SECONDS_PER_QUESTION", 0.0)
        _respondent_walk(found, browser, world, invitation_links, live_server.url)
        _keyboard_only(found, browser, invitation_links[PARENTS[2]][0])
        _staff_walk(found, browser, live_server, world)
    record = found.record(browser)
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    yield record


def _failures(record: dict[str, Any], check: str) -> str:
    return "\n".join(record["checks"][check]["failures"])


def test_every_focusable_element_shows_focus_at_three_to_one(audit: dict[str, Any]) -> None:
    focus = audit["checks"]["focus_contrast"]
    assert focus["elements"] > 300 and len(focus["states"]) > 35, focus["states"]
    assert not focus["failures"], _failures(audit, "focus_contrast")


def test_a_questionnaire_can_be_answered_with_the_keyboard_alone(audit: dict[str, Any]) -> None:
    keyboard = audit["checks"]["keyboard"]
    assert "keyboard: Thank you" in keyboard["states"], keyboard["states"]
    assert not keyboard["failures"], _failures(audit, "keyboard")


def test_every_page_reflows_at_320_pixels(audit: dict[str, Any]) -> None:
    assert not audit["checks"]["reflow"]["failures"], _failures(audit, "reflow")


def test_no_text_is_cut_off_with_text_spacing_increased(audit: dict[str, Any]) -> None:
    assert not audit["checks"]["text_spacing"]["failures"], _failures(audit, "text_spacing")


def test_forced_colours_keep_focus_answers_faces_and_charts_visible(audit: dict[str, Any]) -> None:
    forced = audit["checks"]["forced_colours"]
    assert any("face" in s for s in forced["states"]) and any(
        "indicator results" in s for s in forced["states"]
    )
    assert not forced["failures"], _failures(audit, "forced_colours")


def test_axe_finds_nothing_in_the_audited_states(audit: dict[str, Any]) -> None:
    assert not audit["checks"]["axe"]["failures"], _failures(audit, "axe")


def test_the_statement_claims_no_more_than_this_audit_shows(audit: dict[str, Any]) -> None:
    """Read back from the file, as anyone publishing the run would; the date rule is held by
    tests/app/main against the run published (docs/accessibility-audit.json), not this one."""
    record = json.loads(OUTPUT.read_text(encoding="utf-8"))
    assert record == audit
    statement = load_statement()
    problems = contradictions(statement, record, dated=False)
    assert not problems, "\n".join(problems)


# -- the measurement itself --------------------------------------------------------------------

_BUTTONS = """<!doctype html><html lang="en"><title>t</title><style>
body {{ margin: 40px; background: #fff; font: 20px sans-serif; }}
button {{ background: #f3f2f1; border: 2px solid transparent; padding: 10px 20px; font: inherit;
  box-shadow: 0 2px 0 #b1b4b6; }}
button:focus-visible {{ outline: 3px solid #fd0; outline-offset: 0; {ring} }}
</style><main><button>Back</button> <button>Save and continue later</button></main></html>"""


@pytest.mark.parametrize(
    ("ring", "fails"),
    [
        ("", 2),  # the bug of issue 23: a yellow ring alone, 1.35:1 on white, 1.2:1 on grey
        ("box-shadow: 0 0 0 6px #0b0c0c;", 0),  # the yellow ring inside a black one
    ],
    ids=["yellow-only", "yellow-and-black"],
)
def test_the_measurement_tells_a_weak_focus_ring_from_a_strong_one(
    browser: Browser, ring: str, fails: int
) -> None:
    context = browser.new_context(viewport=SMALL_PHONE)
    try:
        page = context.new_page()
        page.set_content(_BUTTONS.format(ring=ring))
        found = focus_contrast(page, "buttons")
        assert found.elements == 2
        # Each button fails twice when weak: as it is and with the pointer over it.
        assert len(found.failures) == 2 * fails, found.failures
    finally:
        context.close()


def test_the_poster_prints_on_one_page_in_words_a_reader_can_find(
    coordinator: Page, live_server: LiveServer, world: axe_audit.World
) -> None:
    """The open-link poster's print view: one A4 page, the heading and the address as real
    text (a PDF reader or screen reader finds them, not only the QR code's picture), and the
    site's menus and footer left off."""
    coordinator.goto(f"{live_server.url}/rounds/{world.live_id}/open-links/parents/poster")
    address = coordinator.locator(".poster-url").inner_text().strip()
    coordinator.emulate_media(media="print")
    try:
        expect(coordinator.locator(".site-footer")).to_be_hidden()
        expect(coordinator.locator(".poster-tools")).to_be_hidden()
        expect(coordinator.get_by_role("heading", level=1)).to_have_text("Tell us what you think")
        qr = coordinator.locator(".poster-qr svg")
        assert (qr.get_attribute("role") == "img" and qr.get_attribute("aria-label")) or qr.locator(
            "title"
        ).count(), "the QR code has no text alternative"
        pdf = coordinator.pdf(format="A4", print_background=True)
    finally:
        coordinator.emulate_media(media="screen")
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) == 1
    text = " ".join(pages[0].extract_text().split())
    assert "Tell us what you think" in text
    assert address in text.replace(" ", "") or address in text
