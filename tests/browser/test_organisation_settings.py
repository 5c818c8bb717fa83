"""Settings, Organisation in Chromium (issues 16, 21): a coordinator changes the organisation's
time zone and a round's page shows its moments in that zone; both pages pass the audit."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, time, timedelta

from flask import Flask
from playwright.sync_api import Browser, expect

from app.dates import long_date
from app.models import RoundStatus
from app.services.accounts import create_user
from app.services.responding import today
from tests.app.respond.helpers import launch_round, set_round
from tests.browser.support import (
    PASSWORD,
    LiveServer,
    Shots,
    assert_accessible,
    desktop_context,
    sign_in,
)


def test_a_new_time_zone_shows_a_rounds_close_on_its_own_day(
    live_server: LiveServer, live_app: Flask, browser: Browser
) -> None:
    org = f"Zone council {uuid.uuid4().hex[:6]}"
    launched = launch_round(live_app, org)
    # Closed at 23:30 UTC yesterday: that day in London, already today in Auckland.
    yesterday = today() - timedelta(days=1)
    closed_at = datetime.combine(yesterday, time(23, 30), tzinfo=UTC)
    set_round(live_app, launched.round_id, status=RoundStatus.CLOSED, closed_at=closed_at)
    email = f"zone-{uuid.uuid4().hex[:6]}@council.example"
    with live_app.app_context():
        create_user(email, PASSWORD, org, "coordinator")
        from app.extensions import db

        db.session.commit()
    context = desktop_context(browser)
    shots = Shots("organisation-time-zone")
    try:
        page = context.new_page()
        sign_in(page, live_server, email)
        round_page = f"{live_server.url}/rounds/{launched.round_id}"
        page.goto(round_page)
        expect(page.get_by_text(f"Closed on {long_date(yesterday)}")).to_be_visible()

        page.goto(live_server.url + "/settings/organisation")
        expect(page.get_by_role("heading", name="Organisation settings")).to_be_visible()
        assert_accessible(page)
        shots(page, "settings")
        page.get_by_label("Time zone").select_option("Pacific/Auckland")
        page.get_by_role("button", name="Save time zone").click()
        expect(page.get_by_text("The time zone is now Pacific/Auckland.")).to_be_visible()
        expect(page.get_by_label("Time zone")).to_have_value("Pacific/Auckland")
        expect(page.get_by_text("Now:")).to_contain_text(re.compile(r"NZ[DS]T$"))
        assert_accessible(page)
        shots(page, "saved")

        page.goto(round_page)
        expect(
            page.get_by_text(f"Closed on {long_date(yesterday + timedelta(days=1))}")
        ).to_be_visible()
        assert_accessible(page)
        shots(page, "round in the new zone")
    finally:
        context.close()
