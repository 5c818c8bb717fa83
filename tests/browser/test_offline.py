"""Answering without a signal (issue 18), in Chromium: the service worker keeps the pages, the
answers wait in IndexedDB, Send waits on the phone and goes by itself when the signal is back,
and exactly one response is stored, however the connection came and went."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect
from playwright.sync_api import Error as PlaywrightError
from sqlalchemy import func, select

from app.extensions import db
from app.models import Response, SealedSubmission
from tests.app.respond.helpers import invite, launch_round
from tests.browser.journey import press
from tests.browser.support import LiveServer, phone_context
from tests.support import release_all

OFFLINE_NOTE = (
    "You are offline. Your answers are saved on this phone and will be sent when you are back "
    "online."
)
SEND = "Send my answers"


@pytest.fixture(scope="module")
def round_ids(live_server: LiveServer) -> Any:
    return launch_round(live_server.app, "Offline Council", audiences=("parents",))


@pytest.fixture
def phone(browser: Browser) -> Iterator[BrowserContext]:
    context = phone_context(browser)
    yield context
    context.close()


def _count(live_server: LiveServer, model: Any) -> int:
    with live_server.app.app_context():
        n = db.session.execute(select(func.count()).select_from(model)).scalar_one()
        db.session.remove()
        return int(n)


def _responses(live_server: LiveServer) -> int:
    release_all(live_server.app)
    return _count(live_server, Response)


def _kept_on_device(page: Page) -> int:
    """Records in the device's IndexedDB (answers and outbox)."""
    return int(
        page.evaluate(
            """() => new Promise((ok) => {
              const r = indexedDB.open("chorus-offline", 1);
              r.onsuccess = () => {
                const db = r.result, t = db.transaction(["answers", "outbox"]);
                let n = 0;
                const a = t.objectStore("answers").count(), o = t.objectStore("outbox").count();
                a.onsuccess = () => { n += a.result; };
                o.onsuccess = () => { n += o.result; };
                t.oncomplete = () => { db.close(); ok(n); };
              };
            })"""
        )
    )


def _kept_pages(page: Page) -> list[str]:
    return list(
        page.evaluate("async () => (await caches.keys()).filter(n => n.startsWith('chorus-q-'))")
    )


def _start(page: Page, live_server: LiveServer, round_ids: Any) -> None:
    token = invite(live_server.app, round_ids.round_id)
    page.goto(f"{live_server.url}/r/{token}")
    press(page, "Start")
    _ready(page)  # the offline scripts and the service worker come after the page is shown


def _ready(page: Page) -> None:
    page.wait_for_function(
        "() => document.documentElement.hasAttribute('data-offline-ready')", timeout=15000
    )


def _answer_page(page: Page) -> None:
    """ "Agree" to every statement; the last option of any other question (the role)."""
    for group in page.locator("#survey fieldset:has(input[type=radio])").all():
        agree = group.get_by_label("Agree", exact=True)
        (agree if agree.count() else group.locator("input[type=radio]").last).check()


def _on_last_page(page: Page) -> bool:
    """On the check page, where Send is."""
    return page.get_by_role("button", name=SEND, exact=True).count() > 0


def _wait_for(condition: Any, what: str, timeout_s: float = 15.0) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if condition():
                return
        except PlaywrightError:  # the page navigated while being read: look again
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        time.sleep(0.1)


def test_offline_mid_questionnaire_then_back_online_stores_exactly_one(
    phone: BrowserContext, live_server: LiveServer, round_ids: Any
) -> None:
    before = _responses(live_server)
    page = phone.new_page()
    _start(page, live_server, round_ids)
    _answer_page(page)
    phone.set_offline(True)
    while not _on_last_page(page):
        form = page.locator("form[data-offline-page]")
        number = int(form.get_attribute("data-offline-page") or 0)
        pages = int(form.get_attribute("data-offline-pages") or 0)
        page.get_by_role("button", name=re.compile("^(Continue|Next)$")).click()
        after = "/check" if number == pages else f"/page/{number + 1}"  # then check the answers
        page.wait_for_url(re.compile(rf"{after}\?offline=1$"))
        _ready(page)  # the kept copy, from the service worker, with its script set up
        _answer_page(page)
    # The check page kept on the phone, filled in from the answers on the phone.
    expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
    answers = page.locator("#survey .sl-v")
    expect(answers.filter(has_text=re.compile("^Agree$")).first).to_be_visible()
    assert answers.filter(has_text=re.compile("^Not answered$")).count() == 0
    # Change, with no signal: the kept page, the answers on it, and back to the check page.
    page.locator("#survey .sl-a a").first.click()
    page.wait_for_url(re.compile(r"/page/1\?change=1&offline=1$"))
    _ready(page)
    expect(page.locator("#survey input:checked").first).to_be_checked()
    page.get_by_role("button", name="Continue", exact=True).click()
    page.wait_for_url(re.compile(r"/check\?offline=1$"))
    _ready(page)
    page.get_by_role("button", name=SEND, exact=True).click()
    expect(page.get_by_text(OFFLINE_NOTE)).to_be_visible()
    assert _count(live_server, SealedSubmission) == 0  # nothing left the phone

    page.reload()  # still offline: the kept page, and the queue still waiting
    expect(page.get_by_text(OFFLINE_NOTE)).to_be_visible()
    assert _kept_on_device(page) >= 1

    phone.set_offline(False)
    page.wait_for_url(re.compile(r"/thanks$"), timeout=15000)
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    _wait_for(lambda: _kept_on_device(page) == 0, "the device forgetting the answers")
    _wait_for(lambda: not _kept_pages(page), "the service worker dropping the kept pages")
    assert _responses(live_server) == before + 1


def test_the_connection_dropping_during_the_final_post_stores_exactly_one(
    phone: BrowserContext, live_server: LiveServer, round_ids: Any
) -> None:
    """The Send reaches the server and is stored, but its answer never reaches the phone: the
    queue sends it again when the signal is back, and the server says "already received"."""
    before = _responses(live_server)
    page = phone.new_page()
    _start(page, live_server, round_ids)
    while not _on_last_page(page):
        _answer_page(page)
        press(page, "Continue")
    _answer_page(page)

    def stored_then_dropped(route: Route) -> None:
        try:
            route.fetch()  # the server stores it...
            route.abort("internetdisconnected")  # ...and the phone never hears back
        except PlaywrightError:  # the page had moved on (Background Sync sent the queue)
            pass

    page.route(re.compile(r"/send$"), stored_then_dropped)
    page.get_by_role("button", name=SEND, exact=True).click()
    # The page says it waits, unless Background Sync has already sent the queue again.
    _wait_for(
        lambda: page.url.endswith("/thanks") or page.get_by_text(OFFLINE_NOTE).is_visible(),
        "the phone saying the answers wait",
    )
    _wait_for(lambda: _count(live_server, SealedSubmission) >= 1, "the first send arriving")
    page.unroute(re.compile(r"/send$"))

    if not page.url.endswith("/thanks"):
        page.reload()  # on the next load the queue goes again: already received, then thanks
    page.wait_for_url(re.compile(r"/thanks$"), timeout=15000)
    page.wait_for_load_state("load")
    _wait_for(lambda: _kept_on_device(page) == 0, "the device forgetting the answers")
    assert _responses(live_server) == before + 1


def test_without_background_sync_the_next_page_load_sends_the_queue(
    phone: BrowserContext, live_server: LiveServer, round_ids: Any
) -> None:
    """The final POST never reaches the server, on a browser without Background Sync."""
    before = _responses(live_server)
    page = phone.new_page()
    page.add_init_script(
        "Object.defineProperty(ServiceWorkerRegistration.prototype, 'sync', {get: () => undefined})"
    )
    _start(page, live_server, round_ids)
    while not _on_last_page(page):
        _answer_page(page)
        press(page, "Continue")
    _answer_page(page)
    page.route(re.compile(r"/send$"), lambda route: route.abort("internetdisconnected"))
    page.get_by_role("button", name=SEND, exact=True).click()
    expect(page.get_by_text(OFFLINE_NOTE)).to_be_visible()
    assert _count(live_server, SealedSubmission) == 0
    page.unroute(re.compile(r"/send$"))
    page.reload()  # the next page load sends the queue
    page.wait_for_url(re.compile(r"/thanks$"), timeout=15000)
    _wait_for(lambda: _kept_on_device(page) == 0, "the device forgetting the answers")
    assert _responses(live_server) == before + 1
