"""A coordinator's Monday morning (issue 16): a round launched with the wrong opening date is
corrected, a late contact is added, and another round is cancelled before it sends anything.

Real server, real Chromium, real SMTP server on loopback: the cancelled round's invitations never
reach it, the corrected round's do once it opens.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, time, timedelta

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from app.dates import today
from app.extensions import db
from app.mail.worker import Worker
from app.models import Contact, FeedbackRound, Invitation, Organisation, RoundStatus
from app.services.accounts import create_user
from app.services.contacts import ContactRow, add_contacts
from app.services.rounds import RoundSettings, create_round
from tests.browser.support import (
    PASSWORD,
    LiveServer,
    assert_accessible,
    desktop_context,
    follow,
    heading,
    sign_in,
)
from tests.smtp import SmtpServer

pytestmark = pytest.mark.browser


def _world(live_server: LiveServer) -> tuple[str, str, uuid.UUID, uuid.UUID]:
    tag = uuid.uuid4().hex[:6]
    org_name, email = f"Lifecycle Council {tag}", f"coord.{tag}@council.example"
    with live_server.app.app_context():
        create_user(email, PASSWORD, org_name, "coordinator", name="Cara Coordinator")
        org = db.session.execute(
            select(Organisation).where(Organisation.name == org_name)
        ).scalar_one()
        ids = []
        for name, opens in (("Wrong date round", 200), ("Round to cancel", 5)):
            rnd = create_round(
                org,
                RoundSettings(
                    name=name,
                    framework_id="hmie-children-services",
                    indicator_ids=["2.1"],
                    audiences=["parents"],
                    opens_on=today() + timedelta(days=opens),
                    closes_on=today() + timedelta(days=opens + 20),
                    threshold=3,
                ),
            )
            people = [ContactRow(n, f"p{n}.{tag}.{opens}@families.example") for n in range(1, 5)]
            add_contacts(rnd, "parents", people)
            ids.append(rnd.id)
        db.session.commit()
    return org_name, email, ids[0], ids[1]


def test_wrong_date_corrected_late_contact_added_other_round_cancelled(
    browser: Browser, live_server: LiveServer, mail_server: SmtpServer
) -> None:
    _, email, wrong_id, cancel_id = _world(live_server)
    app = live_server.app
    context = desktop_context(browser)
    page = context.new_page()
    try:
        sign_in(page, live_server, email)

        # Launch with the opening date 200 days ahead: the check asks for a tick.
        page.goto(f"{live_server.url}/rounds/{wrong_id}")
        follow(page, "This round", "Launch")
        expect(heading(page, "Launch “Wrong date round”")).to_be_visible()
        far = page.get_by_role("checkbox", name=re.compile(r"^The round opens in 200 days"))
        expect(far).to_be_visible()
        expect(page.get_by_role("heading", name="The invitation email")).to_be_visible()
        assert_accessible(page)
        page.get_by_role("button", name="Launch and send 4 invitations").click()
        expect(page.get_by_role("alert")).to_contain_text("Tick each warning")
        page.get_by_role("checkbox", name=re.compile(r"^The round opens in 200 days")).check()
        page.get_by_role("button", name="Launch and send 4 invitations").click()
        expect(
            page.get_by_text("The round is scheduled. 4 invitations will be sent")
        ).to_be_visible()

        # Correct the date: first a day in the past (refused, nothing changed), then tomorrow.
        follow(page, "This round", "Overview")
        expect(page.locator("#round-state")).to_contain_text("Launched and scheduled")
        expect(page.get_by_role("link", name="Send reminders")).to_have_count(0)
        page.get_by_role("link", name="Change dates", exact=True).click()
        page.get_by_label("Opens on").fill((today() - timedelta(days=1)).isoformat())
        page.get_by_role("button", name="Save the dates").click()
        expect(page.get_by_role("alert")).to_contain_text("The opening date cannot be in the past.")
        assert_accessible(page)
        tomorrow = today() + timedelta(days=1)
        page.get_by_label("Opens on").fill(tomorrow.isoformat())
        page.get_by_label("Closes on").fill((tomorrow + timedelta(days=14)).isoformat())
        page.get_by_role("button", name="Save the dates").click()
        expect(page.get_by_text("Dates changed")).to_be_visible()

        # A late contact: invited with the others, on the new opening day.
        page.get_by_role("link", name="Add late contacts", exact=True).click()
        page.get_by_label("Email addresses").fill("late.parent@families.example")
        page.get_by_role("button", name="Invite them").click()
        expect(page.get_by_text("Invited 1 more person")).to_be_visible()
        expect(page.get_by_role("cell", name="late.parent@families.example")).to_be_visible()
        assert_accessible(page)

        # The other round: launched (it opens in 5 days), then cancelled before it sends.
        page.goto(f"{live_server.url}/rounds/{cancel_id}/launch")
        page.get_by_role("button", name="Launch and send 4 invitations").click()
        expect(page.get_by_text("The round is scheduled.")).to_be_visible()
        follow(page, "This round", "Overview")
        page.get_by_role("link", name="Cancel the round…").click()
        expect(heading(page, "Cancel “Round to cancel”?")).to_be_visible()
        assert_accessible(page)
        page.get_by_role("button", name="Cancel the round").click()
        expect(page.get_by_text("Round cancelled: nothing was sent.")).to_be_visible()
        expect(page.locator("#round-state")).to_contain_text("A draft")
    finally:
        context.close()

    with app.app_context():
        cancelled = db.session.get(FeedbackRound, cancel_id)
        assert cancelled is not None and cancelled.status == RoundStatus.DRAFT
        restored = db.session.execute(
            select(Contact.email).where(Contact.round_id == cancel_id)
        ).scalars()
        assert len(list(restored)) == 4
        assert not db.session.execute(
            select(Invitation).where(Invitation.round_id == cancel_id)
        ).first()
    # Six days on, both rounds would have opened: only the corrected one's five go out.
    mail_server.handler.clear()
    later = datetime.combine(today() + timedelta(days=6), time(9), UTC)
    report = Worker(app, "lifecycle-journey").run_once(later)
    assert report.sent == 5, report
    sent_to = sorted(m["To"] for m in mail_server.wait_for(5))
    assert "late.parent@families.example" in sent_to
    assert not any(".5@families" in t for t in sent_to)  # none of the cancelled round's
