"""A kiosk on a round's shared children's link, offline (issue 20): each child chooses their age
band on the tablet with no signal and answers that band's pages from its own kit; the next
child starts afresh with nothing of the last; back online, each child's answers arrive in their
own band's group, never pooled."""

from __future__ import annotations

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


def _shared_kiosk_code(app: Flask) -> tuple[str, uuid.UUID]:
    launched = launch_round(
        app,
        "Kiosk bands council",
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
        user = create_user("coord-bands@kiosk.example", PASSWORD, _org_name(rnd), "coordinator")
        link = open_links.link_for(rnd, "children")
        assert link is not None
        _kiosk, code = kiosks.create(rnd, link, "Children's tent tablet", user)
        db.session.commit()
    return kiosks.display_code(code), launched.round_id


def _one_child(page: Page, band: str, answer: str) -> None:
    """Choose the band on the tablet's own copy of the choice, then that band's pages."""
    expect(page.get_by_role("group", name="How old are you?")).to_be_visible()
    _nothing_answered(page)  # nothing of the last child: no band chosen, no answer
    page.get_by_label(band, exact=True).check()
    press(page, "Next")
    for _ in range(20):
        if on_check_page(page):
            press(page, "Send my answers")
            return
        _nothing_answered(page)
        answer_questions(page, answer)
        press(page, next_button(page))
    raise AssertionError("the questionnaire never ended")


def test_an_offline_shared_kiosk_keeps_each_childs_band(
    live_server: LiveServer, live_app: Flask, tablet: BrowserContext, kiosk_settings: None
) -> None:
    code, round_id = _shared_kiosk_code(live_app)
    page = tablet.new_page()
    page.goto(live_server.url + "/kiosk/pair")
    page.get_by_label("Pairing code").fill(code)
    page.get_by_role("button", name="Pair this tablet").click()
    expect(page.get_by_role("group", name="How old are you?")).to_be_visible()
    expect(page.locator("body[data-kiosk-ready]")).to_have_count(1)  # every band's kit is here
    tablet.set_offline(True)
    page.get_by_role("button", name="Next").click()  # no band chosen: asked plainly
    expect(page.locator("#survey .kiosk-problem")).to_have_text("Choose how old you are.")
    assert_accessible(page)
    _one_child(page, "I am under 8", "Yes, mostly")
    expect(page.locator("#survey .kiosk-sent")).to_contain_text("kept on this tablet")
    expect(page.get_by_role("group", name="How old are you?")).to_be_visible()  # chosen afresh
    _one_child(page, "I am 13 or older", "Agree")
    expect(page.locator("body[data-kiosk-waiting='2']")).to_have_count(1)
    with live_app.app_context():
        assert db.session.execute(select(Response.id)).first() is None
    tablet.set_offline(False)
    expect(page.locator("body[data-kiosk-waiting='0']")).to_have_count(1, timeout=30_000)
    release_all(live_app)
    with live_app.app_context():
        got = db.session.execute(
            select(Response.audience).where(
                Response.round_id == round_id, Response.channel == Channel.KIOSK
            )
        ).scalars()
        assert sorted(got) == ["children_13_plus", "children_under_8"]
