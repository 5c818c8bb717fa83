"""A kiosk on a round's shared children's link, offline (issue 20): each child chooses their age
band on the tablet with no signal, reads that band's own welcome page (as online) and answers
its pages from its own kit; the next child starts afresh with nothing of the last; a reload with
no signal starts again at the band choice with every band's kit and the queue kept; back
online, each child's answers arrive in their own band's group, never pooled."""

from __future__ import annotations

import re
import uuid

from flask import Flask
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import select

from app.extensions import db
from app.models import Channel, FeedbackRound, Response
from app.services import kiosks, open_links
from app.services.accounts import create_user
from tests.app.respond.helpers import add_open_link, launch_round
from tests.browser.journey import answer_questions, next_button, on_check_page, press
from tests.browser.support import PASSWORD, LiveServer, assert_accessible
from tests.browser.test_kiosk import _nothing_answered, _org_name, kiosk_settings, tablet
from tests.support import release_all

__all__ = ["kiosk_settings", "tablet"]  # the kiosk fixtures, shared

BANDS = ("under_8", "8_to_12", "13_plus")
WELCOME = {  # each band's welcome page heading, by the words of its choice
    "I am under 8": "Children under 8",
    "I am 8, 9, 10, 11 or 12": "Children 8 to 12",
    "I am 13 or older": "Young people 13 and over",
}


def _shared_kiosk_code(app: Flask, org: str = "Kiosk bands council") -> tuple[str, uuid.UUID]:
    launched = launch_round(
        app,
        org,
        indicators=("2.1",),
        audiences=("children",),
        children_bands=BANDS,
        free_text=False,
        role_question=False,
    )
    add_open_link(app, launched.round_id, "children")
    with app.app_context():
        rnd = db.session.get(FeedbackRound, launched.round_id)
        assert rnd is not None
        user = create_user(
            f"coord-{uuid.uuid4().hex[:6]}@kiosk.example", PASSWORD, _org_name(rnd), "coordinator"
        )
        link = open_links.link_for(rnd, "children")
        assert link is not None
        _kiosk, code = kiosks.create(rnd, link, "Children's tent tablet", user)
        db.session.commit()
    return kiosks.display_code(code), launched.round_id


def _one_child(page: Page, band: str, answer: str, *, audit: bool = False) -> None:
    """Choose the band on the tablet's own copy of the choice, read that band's own welcome
    page (the tablet's copy), then answer the band's pages."""
    expect(page.get_by_role("group", name="How old are you?")).to_be_visible()
    _nothing_answered(page)  # nothing of the last child: no band chosen, no answer
    page.get_by_label(band, exact=True).check()
    press(page, "Next")
    _band_welcome(page, band, audit=audit)
    press(page, "Start")
    for _ in range(20):
        if on_check_page(page):
            press(page, "Send my answers")
            return
        _nothing_answered(page)
        answer_questions(page, answer)
        press(page, next_button(page))
    raise AssertionError("the questionnaire never ended")


def _band_welcome(page: Page, band: str, *, audit: bool = False) -> None:
    """The band's own welcome page, as a child sees it online after choosing: its own words
    (read aloud for the youngest), Start, and the way back to the choice."""
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile(rf"^{re.escape(WELCOME[band])} survey$")
    )
    expect(page.get_by_role("button", name="Start", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Not your age? Choose again")).to_be_visible()
    expect(page.get_by_role("group", name="How old are you?")).to_have_count(0)
    expect(page.get_by_text("A grown-up can read this with you.")).to_have_count(
        1 if band == "I am under 8" else 0
    )
    if audit:
        assert_accessible(page)


def _pair_shared(page: Page, live_server: LiveServer, code: str) -> None:
    page.goto(live_server.url + "/kiosk/pair")
    page.get_by_label("Pairing code").fill(code)
    page.get_by_role("button", name="Pair this tablet").click()
    expect(page.get_by_role("group", name="How old are you?")).to_be_visible()
    expect(page.locator("body[data-kiosk-ready]")).to_have_count(1)  # every band's kit is here


def _released_bands(app: Flask, round_id: uuid.UUID) -> list[str]:
    release_all(app)
    with app.app_context():
        got = db.session.execute(
            select(Response.audience).where(
                Response.round_id == round_id, Response.channel == Channel.KIOSK
            )
        ).scalars()
        return sorted(got)


def test_an_offline_shared_kiosk_keeps_each_childs_band(
    live_server: LiveServer, live_app: Flask, tablet: BrowserContext, kiosk_settings: None
) -> None:
    code, round_id = _shared_kiosk_code(live_app)
    page = tablet.new_page()
    _pair_shared(page, live_server, code)
    tablet.set_offline(True)
    page.get_by_role("button", name="Next").click()  # no band chosen: asked plainly
    expect(page.locator("#survey .kiosk-problem")).to_have_text("Choose how old you are.")
    assert_accessible(page)
    # Not this child's age after all: back to the choice, offline, nothing chosen.
    page.get_by_label("I am 8, 9, 10, 11 or 12", exact=True).check()
    press(page, "Next")
    _band_welcome(page, "I am 8, 9, 10, 11 or 12", audit=True)
    page.get_by_role("link", name="Not your age? Choose again").click()
    _one_child(page, "I am under 8", "Yes, mostly", audit=True)
    expect(page.locator("#survey .kiosk-sent")).to_contain_text("kept on this tablet")
    expect(page.get_by_role("group", name="How old are you?")).to_be_visible()  # chosen afresh
    _one_child(page, "I am 13 or older", "Agree")
    expect(page.locator("body[data-kiosk-waiting='2']")).to_have_count(1)
    with live_app.app_context():
        stored = select(Response.id).where(Response.round_id == round_id)
        assert db.session.execute(stored).first() is None
    tablet.set_offline(False)
    expect(page.locator("body[data-kiosk-waiting='0']")).to_have_count(1, timeout=30_000)
    assert _released_bands(live_app, round_id) == ["children_13_plus", "children_under_8"]


def test_an_offline_shared_kiosk_survives_a_reload(
    live_server: LiveServer, live_app: Flask, tablet: BrowserContext, kiosk_settings: None
) -> None:
    """A reload with no signal, even on another band's page than the link's own: the worker
    starts again at the band choice the tablet kept, with each band's kit and grants; what
    waits to be sent stays, and is released as each child's band once online."""
    code, round_id = _shared_kiosk_code(live_app, "Kiosk bands reload council")
    page = tablet.new_page()
    _pair_shared(page, live_server, code)
    page.get_by_label("I am 13 or older", exact=True).check()  # online: the server's pages
    press(page, "Next")
    _band_welcome(page, "I am 13 or older")
    press(page, "Start")
    expect(page).to_have_url(re.compile(r"/q/[0-9a-f-]+/page/1$"))
    tablet.set_offline(True)
    page.reload()  # a page never kept: the worker starts the kiosk again at the choice
    expect(page.locator("body[data-kiosk-ready]")).to_have_count(1)
    _one_child(page, "I am 8, 9, 10, 11 or 12", "Yes, mostly")
    expect(page.locator("#survey .kiosk-sent")).to_contain_text("kept on this tablet")
    page.reload()  # the queue stays, locked
    expect(page.locator("body[data-kiosk-ready]")).to_have_count(1)
    expect(page.locator("body[data-kiosk-waiting='1']")).to_have_count(1)
    _one_child(page, "I am 13 or older", "Agree")
    expect(page.locator("body[data-kiosk-waiting='2']")).to_have_count(1)
    assert _released_bands(live_app, round_id) == []  # nothing has left the tablet
    tablet.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("body[data-kiosk-waiting='0']")).to_have_count(1, timeout=30_000)
    assert _released_bands(live_app, round_id) == ["children_13_plus", "children_8_to_12"]
