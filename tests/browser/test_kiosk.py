"""A kiosk at an event, in Chromium (issue 18): a tablet paired with a one-time code takes one
person after another, with nothing of the first visible to the second (Back button and form
restoring included); a day offline queues answers encrypted on the tablet and sends them, each
stored once, when the signal returns; a revoked kiosk says so plainly."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import func, select

from app.extensions import db
from app.models import Channel, FeedbackRound, Response, SealedSubmission
from app.services import kiosks
from app.services.accounts import create_user
from app.services.responding import today
from tests.app.respond.helpers import add_open_link, launch_round
from tests.browser.journey import (
    answer_questions,
    answer_role,
    next_button,
    on_check_page,
    press,
)
from tests.browser.support import (
    PASSWORD,
    LiveServer,
    Shots,
    assert_accessible,
    assert_no_horizontal_scroll,
    phone_context,
)
from tests.support import release_all

SECRET_WORDS = "Person one wrote this about the stall"


@dataclass
class Event:
    round_id: uuid.UUID
    questionnaire_id: uuid.UUID


@pytest.fixture(scope="module")
def kiosk_settings(live_app: Flask) -> Iterator[None]:
    saved = {k: live_app.config.get(k) for k in ("KIOSK_MIN_SECONDS_PER_QUESTION",)}
    live_app.config["KIOSK_MIN_SECONDS_PER_QUESTION"] = 0
    yield
    live_app.config.update(saved)


def _event(app: Flask, org: str, *, short: bool = False) -> Event:
    if short:  # one page: a quick questionnaire for the 50-person queue
        launched = launch_round(
            app,
            org,
            indicators=("2.1",),
            audiences=("parents",),
            free_text=False,
            role_question=False,
        )
    else:
        launched = launch_round(app, org)
    add_open_link(app, launched.round_id, "parents")
    return Event(launched.round_id, launched.questionnaires["parents"])


def _pairing_code(app: Flask, event: Event, name: str) -> tuple[str, uuid.UUID]:
    with app.app_context():
        rnd = db.session.get(FeedbackRound, event.round_id)
        assert rnd is not None
        user = create_user(
            f"coord-{uuid.uuid4().hex[:6]}@kiosk.example", PASSWORD, _org_name(rnd), "coordinator"
        )
        from app.services import open_links

        link = open_links.link_for(rnd, "parents")
        assert link is not None
        kiosk, code = kiosks.create(rnd, link, name, user)
        db.session.commit()
        return kiosks.display_code(code), kiosk.id


def _org_name(rnd: FeedbackRound) -> str:
    from app.models import Organisation

    org = db.session.get(Organisation, rnd.organisation_id)
    assert org is not None
    return org.name


def _pair(
    page: Page, server: LiveServer, code: str, audit: bool = False, javascript: bool = True
) -> None:
    page.goto(server.url + "/kiosk/pair")
    if audit:
        assert_accessible(page)
    page.get_by_label("Pairing code").fill(code)
    page.get_by_role("button", name="Pair this tablet").click()
    expect(page.get_by_role("button", name="Start", exact=True)).to_be_visible()
    if javascript:
        expect(page.locator("body[data-kiosk-ready]")).to_have_count(1)


def _nothing_answered(page: Page) -> None:
    assert page.locator("input:checked").count() == 0
    for area in page.locator("textarea").all():
        assert area.input_value() == ""
    assert SECRET_WORDS not in page.content()


def _one_person(page: Page, answer: str, comment: str = "", *, change: bool = False) -> None:
    press(page, "Start")
    for _ in range(20):
        if on_check_page(page):  # this person's own answers, to check, then Send
            shown = page.locator("#survey .sl-v", has_text=re.compile(f"^{re.escape(answer)}$"))
            expect(shown.first).to_be_visible()
            if change:  # Change: the first page again, this person's answers on it, and back
                page.locator("#survey .sl-a a").first.click()
                expect(page.locator("#survey input:checked").first).to_be_checked()
                press(page, next_button(page))
                expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
            press(page, "Send my answers")
            return
        _nothing_answered(page)  # every page arrives blank: nothing restored or autofilled
        if page.get_by_role("group", name=re.compile("How old is|Which best describes")).count():
            answer_role(page)
        answer_questions(page, answer)
        for area in page.locator("textarea").all():
            area.fill(comment)
        press(page, next_button(page))
    raise AssertionError("the questionnaire never ended")


def _stored(app: Flask, round_id: uuid.UUID) -> int:
    release_all(app)
    with app.app_context():
        return db.session.execute(
            select(func.count())
            .select_from(Response)
            .where(Response.round_id == round_id, Response.channel == Channel.KIOSK)
        ).scalar_one()


@pytest.fixture
def tablet(browser: Browser) -> Iterator[BrowserContext]:
    context = phone_context(browser)
    yield context
    context.close()


def test_without_javascript_back_never_reaches_the_last_person(
    live_server: LiveServer, live_app: Flask, browser: Browser, kiosk_settings: None
) -> None:
    """Every page a full load, so the Back button walks real history entries of the last
    person's pages: each asks the server again (no-store), which shows only the welcome."""
    event = _event(live_app, "Kiosk no script")
    code, _kiosk_id = _pairing_code(live_app, event, "Plain tablet")
    context = phone_context(browser, javascript=False)
    try:
        page = context.new_page()
        _pair(page, live_server, code, javascript=False)
        for n in range(3):
            _one_person(page, "Agree", SECRET_WORDS if n == 0 else "", change=n == 0)
            expect(page.locator("#kiosk-sent")).to_be_visible()
            for _ in range(4):  # back through the pages the last person filled in
                page.go_back()
                page.wait_for_load_state("domcontentloaded")
                _nothing_answered(page)
            page.goto(live_server.url + "/kiosk")
        assert _stored(live_app, event.round_id) == 3
    finally:
        context.close()


def test_three_people_in_a_row_see_nothing_of_each_other(
    live_server: LiveServer, live_app: Flask, tablet: BrowserContext, kiosk_settings: None
) -> None:
    event = _event(live_app, "Kiosk gala")
    code, _kiosk_id = _pairing_code(live_app, event, "Gala day tablet 1")
    page = tablet.new_page()
    shots = Shots("kiosk-three-people")
    page.goto(live_server.url + "/kiosk/pair")
    page.get_by_label("Pairing code").fill("WRON-GCOD")
    page.get_by_role("button", name="Pair this tablet").click()
    expect(page.get_by_role("alert")).to_contain_text("not right")
    assert_accessible(page)
    _pair(page, live_server, code, audit=True)
    shots(page, "paired")
    for n, answer in enumerate(("Strongly agree", "Disagree", "Agree")):
        _one_person(page, answer, SECRET_WORDS if n == 0 else "")
        expect(page.locator("#kiosk-sent")).to_contain_text("your answers have been sent")
        shots(page, f"person {n + 1} sent")
        if n == 0:
            assert_accessible(page)
            assert_no_horizontal_scroll(page)
        # The next person presses Back: nothing of the last one comes back.
        page.go_back()
        page.wait_for_load_state("domcontentloaded")
        _nothing_answered(page)
        shots(page, f"back after person {n + 1}")
        page.goto(live_server.url + "/kiosk")
        expect(page.get_by_role("button", name="Start", exact=True)).to_be_visible()
        assert page.get_by_role("button", name="Carry on").count() == 0
        # The tablet's storage holds no answers: no cookie of them, nothing readable.
        names = {c["name"] for c in tablet.cookies()}
        assert "chorus_progress" not in names and "chorus_done" not in names
        # Web storage holds nothing but htmx's note of the current address (no answers).
        stored = page.evaluate("Object.keys(Object.assign({}, localStorage, sessionStorage))")
        assert set(stored) <= {"htmx-current-path-for-history"}, stored
    assert _stored(live_app, event.round_id) == 3


def test_the_idle_warning_lets_the_person_carry_on(
    live_server: LiveServer, live_app: Flask, tablet: BrowserContext, kiosk_settings: None
) -> None:
    event = _event(live_app, "Kiosk idle")
    code, _kiosk_id = _pairing_code(live_app, event, "Library tablet")
    live_app.config["KIOSK_IDLE_SECONDS"] = 1
    live_app.config["KIOSK_WARN_SECONDS"] = 20  # the least WCAG 2.2.1 allows
    try:
        page = tablet.new_page()
        _pair(page, live_server, code)
        press(page, "Start")
        answer_questions(page, "Agree")
        dialog = page.get_by_role("alertdialog", name="Are you still there?")
        expect(dialog).to_be_visible(timeout=5000)
        count = int(page.locator("#kiosk-idle-count").inner_text())
        assert count >= 19  # at least 20 seconds to answer (WCAG 2.2.1), counting down
        assert page.evaluate("document.activeElement.id") == "kiosk-idle-stay"
        assert_accessible(page)
        page.get_by_role("button", name="I am still here: carry on").click()
        expect(dialog).to_be_hidden()
        assert page.locator("input:checked").count() > 0  # nothing was cleared
        # Walked away: the warning comes back, and when its time is up the answers go.
        expect(dialog).to_be_visible(timeout=5000)
        expect(page.get_by_text("cleared because the tablet was left")).to_be_visible(
            timeout=30_000
        )
        assert page.locator("input:checked").count() == 0
        assert "chorus_progress" not in {c["name"] for c in tablet.cookies()}
    finally:
        live_app.config.pop("KIOSK_IDLE_SECONDS", None)
        live_app.config.pop("KIOSK_WARN_SECONDS", None)


PEOPLE_OFFLINE = 50


def test_an_offline_kiosk_queues_fifty_and_sends_each_once(
    live_server: LiveServer, live_app: Flask, tablet: BrowserContext, kiosk_settings: None
) -> None:
    event = _event(live_app, "Kiosk field day", short=True)
    code, _kiosk_id = _pairing_code(live_app, event, "Field day tablet")
    page = tablet.new_page()
    _pair(page, live_server, code)
    tablet.set_offline(True)
    for n in range(PEOPLE_OFFLINE):
        _one_person(page, ("Agree", "Disagree", "Strongly agree")[n % 3])
        expect(page.locator("#survey .kiosk-sent")).to_contain_text("kept on this tablet")
    shots = Shots("kiosk-offline-queue")
    shots(page, "fifty waiting")
    # What waits is encrypted: rows of iv and ciphertext only, under a key that cannot leave.
    rows = page.evaluate(
        """() => new Promise(ok => { const r = indexedDB.open('chorus-kiosk');
        r.onsuccess = () => { const db = r.result;
          const t = db.transaction(['outbox', 'keys']);
          const out = t.objectStore('outbox').getAll(), key = t.objectStore('keys').get('k');
          t.oncomplete = () => { ok({rows: out.result.map(o => Object.keys(o).sort().join(',')
              + ':' + (o.ct instanceof ArrayBuffer)), extractable: key.result.extractable,
              algo: key.result.algorithm.name}); db.close(); }; }; })"""
    )
    assert rows["extractable"] is False and rows["algo"] == "AES-GCM"
    assert len(rows["rows"]) == PEOPLE_OFFLINE
    assert set(rows["rows"]) == {"ct,id,iv:true"}
    with live_app.app_context():
        waiting = db.session.execute(select(func.count()).select_from(SealedSubmission))
        assert waiting.scalar_one() == 0
    tablet.set_offline(False)
    expect(page.locator("body[data-kiosk-waiting='0']")).to_have_count(1, timeout=30_000)
    assert _stored(live_app, event.round_id) == PEOPLE_OFFLINE
    # Sending again (a retry after a lost reply) stores nothing more.
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_timeout(500)
    assert _stored(live_app, event.round_id) == PEOPLE_OFFLINE


def test_a_revoked_kiosk_is_refused_with_a_clear_page(
    live_server: LiveServer, live_app: Flask, tablet: BrowserContext, kiosk_settings: None
) -> None:
    event = _event(live_app, "Kiosk revoked")
    code, kiosk_id = _pairing_code(live_app, event, "Lost tablet")
    page = tablet.new_page()
    _pair(page, live_server, code)
    press(page, "Start")
    with live_app.app_context():
        rnd = db.session.get(FeedbackRound, event.round_id)
        kiosk = db.session.get(kiosks.Kiosk, kiosk_id)
        assert rnd is not None and kiosk is not None
        from app.models import User

        user = db.session.execute(select(User)).scalars().first()
        kiosks.revoke(rnd, kiosk, user, today())  # type: ignore[arg-type]
        db.session.commit()
    answer_questions(page, "Agree")
    page.get_by_role("button", name=next_button(page)).click()
    expect(page.get_by_role("heading", name="This kiosk has been switched off")).to_be_visible()
    Shots("kiosk-revoked")(page, "revoked")
    assert_accessible(page)
    page.goto(live_server.url + "/kiosk")
    expect(page.get_by_role("heading", name="This kiosk has been switched off")).to_be_visible()
    # The tablet's script wipes its store once it has sent what it held (nothing here).
    page.wait_for_function(
        """() => indexedDB.databases().then(list => !list.some(d => d.name === 'chorus-kiosk'))"""
    )


def test_an_offline_kiosk_survives_a_reload(
    live_server: LiveServer, live_app: Flask, tablet: BrowserContext, kiosk_settings: None
) -> None:
    """With no signal a reload is answered by the service worker from the kiosk's kept shell
    (welcome page, assets, blank pages); the encrypted queue stays and is sent once online."""
    event = _event(live_app, "Kiosk reload", short=True)
    code, _kiosk_id = _pairing_code(live_app, event, "Sports hall tablet")
    page = tablet.new_page()
    _pair(page, live_server, code)
    press(page, "Start")  # online: the address is now one of the questionnaire's pages
    expect(page).to_have_url(re.compile(r"/page/1$"))
    tablet.set_offline(True)
    page.reload()  # a page never kept: the worker starts the kiosk again at its welcome
    _one_person(page, "Agree", SECRET_WORDS, change=True)
    expect(page.locator("#survey .kiosk-sent")).to_contain_text("kept on this tablet")
    page.reload()
    expect(page.get_by_role("button", name="Start", exact=True)).to_be_visible()
    expect(page.locator("body[data-kiosk-ready]")).to_have_count(1)
    expect(page.locator("body[data-kiosk-waiting='1']")).to_have_count(1)
    assert SECRET_WORDS not in page.content()
    _one_person(page, "Disagree")
    expect(page.locator("#survey .kiosk-sent")).to_contain_text("kept on this tablet")
    expect(page.locator("body[data-kiosk-waiting='2']")).to_have_count(1)
    assert _stored(live_app, event.round_id) == 0
    tablet.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("body[data-kiosk-waiting='0']")).to_have_count(1, timeout=30_000)
    assert _stored(live_app, event.round_id) == 2
    page.evaluate("window.dispatchEvent(new Event('online'))")  # a retry stores nothing more
    page.wait_for_timeout(500)
    assert _stored(live_app, event.round_id) == 2
