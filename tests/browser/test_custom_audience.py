"""A round's own audience in the browser (issue 22): the coordinator adds "Elected members" to a
draft on its Audiences page, launches, three elected members answer on phones through their
open link, the coordinator closes the round and reads their figures, and the Self-Assessment
Team imports the round into an assessment. Real server, real Chromium, the axe audit on the
new page (with and without its error summary)."""

from __future__ import annotations

import io
import re
import uuid
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from app.dates import today
from app.extensions import db
from app.models import EvidenceItem, OpenLink, Organisation, TeamRole, User
from app.services import abuse
from app.services.accounts import create_user
from app.services.assessment.assessments import AssessmentSettings, create_assessment
from app.services.rounds import RoundSettings, create_round
from tests.browser.journey import answer_to_the_end
from tests.browser.support import (
    PASSWORD,
    LiveServer,
    assert_accessible,
    desktop_context,
    follow,
    heading,
    phone_context,
    sign_in,
)

pytestmark = pytest.mark.browser

ELECTED = "c-elected-members"
OWN_STATEMENT = "I hear how the views of local people change services for children."
THRESHOLD = 3


def _world(live_server: LiveServer) -> tuple[str, str, uuid.UUID, uuid.UUID]:
    tag = uuid.uuid4().hex[:6]
    org_name = f"Council {tag}"
    coordinator, sat = f"coord.{tag}@council.example", f"sat.{tag}@council.example"
    with live_server.app.app_context():
        create_user(coordinator, PASSWORD, org_name, "coordinator", name="Cara Coordinator")
        create_user(sat, PASSWORD, org_name, "sat_member", name="Sam Member")
        org = db.session.execute(
            select(Organisation).where(Organisation.name == org_name)
        ).scalar_one()
        rnd = create_round(
            org,
            RoundSettings(
                name="Council listening",
                framework_id="hmie-children-services",
                indicator_ids=["5.3", "9.1"],
                audiences=["parents"],
                opens_on=today(),
                closes_on=today() + timedelta(days=14),
                threshold=THRESHOLD,
                free_text=False,
            ),
        )
        sat_id = db.session.execute(select(User.id).where(User.email == sat)).scalar_one()
        assessment = create_assessment(
            org,
            AssessmentSettings(
                title="Self-evaluation",
                framework_id="hmie-children-services",
                choices=["indicator:5.3", "indicator:9.1"],
                team={sat_id: TeamRole.FACILITATOR},
            ),
        )
        db.session.commit()
        return coordinator, sat, rnd.id, assessment.id


def test_elected_members_added_launched_answered_closed_and_imported(
    browser: Browser, live_server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(abuse, "SECONDS_PER_QUESTION", 0.0)
    coordinator, sat_email, round_id, assessment_id = _world(live_server)
    context = desktop_context(browser)
    page = context.new_page()
    phones = []
    try:
        sign_in(page, live_server, coordinator)
        page.goto(f"{live_server.url}/rounds/{round_id}")
        page.get_by_role("link", name=re.compile("^Add an audience of your own")).click()
        expect(heading(page, "Audiences of “Council listening”")).to_be_visible()
        assert_accessible(page)

        # Without a name: 422, the summary focused, nothing added.
        page.get_by_role("button", name="Add the audience", exact=True).click()
        summary = page.locator(".error-summary")
        expect(summary).to_be_focused()
        expect(summary).to_contain_text("Enter a name for the audience")
        assert_accessible(page)

        page.get_by_label("Name", exact=True).fill("Elected members")
        page.get_by_label("In a sentence").fill("elected members")
        page.get_by_label(re.compile("^By email")).uncheck()  # open link only
        page.get_by_label("Start from the statements of").select_option(label="Community")
        page.get_by_role("button", name="Add the audience", exact=True).click()
        expect(page.get_by_text("Added “Elected members”")).to_be_visible()
        card = page.get_by_role("region", name="Elected members")
        statements = card.get_by_label(re.compile(r"^5\.3 "))
        bank = statements.input_value()
        assert bank, "community statements on 5.3 are copied in"
        statements.fill(f"{bank}\n{OWN_STATEMENT}")
        card.get_by_role("button", name=re.compile("^Save the statements")).click()
        expect(
            page.get_by_text(re.compile(r"Saved \d+ statements for “Elected members”"))
        ).to_be_visible()
        assert_accessible(page)

        follow(page, "This round", "Launch")
        page.get_by_role("button", name=re.compile("^Launch")).click()
        expect(
            page.get_by_text("The round is launched. Share the open links or QR codes.")
        ).to_be_visible()
        with live_server.app.app_context():
            code = db.session.execute(
                select(OpenLink.code).where(
                    OpenLink.round_id == round_id, OpenLink.audience == ELECTED
                )
            ).scalar_one()

        for _ in range(THRESHOLD):
            phone = phone_context(browser)
            phones.append(phone)
            member = phone.new_page()
            member.goto(f"{live_server.url}/o/{code}")
            expect(heading(member, "Elected members survey")).to_be_visible()
            expect(member.get_by_text(OWN_STATEMENT)).to_have_count(0)  # not on the welcome
            answer_to_the_end(member, "Agree")

        follow(page, "This round", "Overview")
        page.get_by_role("link", name="Close round…", exact=True).click()
        page.get_by_role("button", name="Close the round now", exact=True).click()
        expect(page.get_by_text("The round is closed.")).to_be_visible()
        page.get_by_role("link", name=re.compile(r"^5\.3 ")).first.click()
        row = page.get_by_role(
            "table", name=re.compile("^Percent favourable per group")
        ).get_by_role("row", name=re.compile("^Elected members"))
        expect(row).to_contain_text("100%")
        assert_accessible(page)
        # The workbook, as the browser downloads it, names them and their figures.
        book = page.request.get(f"{live_server.url}/exports/rounds/{round_id}.xlsx")
        assert book.ok
        wb = load_workbook(io.BytesIO(book.body()), read_only=True)
        cells = [str(v) for ws in wb.worksheets for r in ws.iter_rows(values_only=True) for v in r]
        assert "Elected members" in cells
        assert any(v.startswith("All elected members (100%") for v in cells)

        sat = context.browser.new_context() if context.browser else None
        assert sat is not None
        sat_page = sat.new_page()
        sign_in(sat_page, live_server, sat_email)
        sat_page.goto(f"{live_server.url}/assessments/{assessment_id}")
        sat_page.get_by_role("link", name="SAT and stakeholders", exact=True).click()
        sat_page.get_by_role("link", name="Import a round", exact=True).click()
        sat_page.get_by_label(re.compile("Council listening")).check()
        sat_page.get_by_role("button", name="Import as evidence", exact=True).click()
        expect(sat_page.get_by_role("status")).to_contain_text("Imported stakeholders' views")
        expect(sat_page.get_by_text(re.compile("elected members", re.I)).first).to_be_visible()
        sat.close()
    finally:
        for phone in phones:
            phone.close()
        context.close()

    with live_server.app.app_context():
        items = db.session.execute(
            select(EvidenceItem).where(
                EvidenceItem.assessment_id == assessment_id, EvidenceItem.payload.is_not(None)
            )
        ).scalars()
        cells = [c for item in items for c in (item.payload or {}).get("cells", [])]
        elected = [c for c in cells if c["audience"] == ELECTED]
        assert elected and all(c["percent"] == 100 for c in elected)
