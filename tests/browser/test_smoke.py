"""The sign-in page on a phone: renders, passes the audit, and signs a coordinator in."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from app.extensions import db
from app.services.accounts import create_user
from tests.browser.support import LiveServer, Shots, assert_accessible


def test_sign_in_on_a_phone(page: Page, live_server: LiveServer, shots: Shots) -> None:
    with live_server.app.app_context():
        create_user(
            "coord@browser.example", "a long enough password", "Browser Council", "coordinator"
        )
        db.session.commit()
    page.goto(live_server.url + "/login")
    expect(page.get_by_role("heading", name="Sign in to Chorus")).to_be_visible()
    assert_accessible(page)
    shots(page, "sign in")
    page.get_by_label("Email address").fill("coord@browser.example")
    page.get_by_label("Password").fill("wrong password!")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("The email address or password is not right")).to_be_visible()
    assert_accessible(page)
    shots(page, "wrong password")
    page.get_by_label("Password").fill("a long enough password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Browser Council")).to_be_visible()
    shots(page, "home")
    # No horizontal scrolling at phone width.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
